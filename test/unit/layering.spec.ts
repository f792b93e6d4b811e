import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import LIB_LAYERS from '../../libs/layers.json';

const root = join(__dirname, '../..');

/**
 * The libs form one-way layers, declared in libs/layers.json (which the lint rule reads too): each may
 * import only the libs listed for it. This test checks the sources themselves, lint or no lint.
 */
const ALLOWED: Record<string, string[]> = LIB_LAYERS;

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
    expect(
      readdirSync(join(root, 'libs'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    ).toEqual(Object.keys(ALLOWED).sort());
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
