import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/**
 * The libs form one-way layers: each may import only the libs listed for it (and so, nothing above it).
 * errors and config are the floor; http, the transport, is the top: no other lib imports it.
 */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  config: [],
  documents: ['errors'],
  'personal-data': ['errors', 'config', 'documents'],
  crypto: ['errors', 'documents'],
  persistence: ['errors', 'crypto'],
  midaz: ['errors', 'config'],
  http: ['errors', 'config', 'documents', 'personal-data', 'persistence'],
};

function sourcesOf(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourcesOf(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('library layering', () => {
  it('knows every lib', () => {
    expect(readdirSync(join(root, 'libs')).sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(Object.entries(ALLOWED))('libs/%s imports only the libs below it', (lib, allowed) => {
    const imported = new Set<string>();
    const files = sourcesOf(join(root, 'libs', lib, 'src'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/from '@crm\/([a-z-]+)'/g)) imported.add(name);
    expect([...imported].filter((name) => !allowed.includes(name)).sort()).toEqual([]);
  });
});
