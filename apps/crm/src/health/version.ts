import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function findPackageVersion(): string {
  // Walk up from this file: the same code runs from apps/crm/src and from dist/.
  for (let dir = __dirname, depth = 0; depth < 8; dir = join(dir, '..'), depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'crm-midaz' && manifest.version) return manifest.version;
    } catch {
      // not here; keep walking
    }
  }
  return '0.0.0';
}

export const SERVICE_VERSION = findPackageVersion();
