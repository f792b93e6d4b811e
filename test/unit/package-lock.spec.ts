import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const FIX = 'npm install --package-lock-only --ignore-scripts --no-audit --no-fund';

/**
 * What npm would change in a lock: it is resolved again (metadata from the registry only, nothing
 * installed, no script run) in a copy of package.json and the lock. Empty when the lock is complete.
 */
function lockChanges(lockText: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'crm-lock-'));
  try {
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'package-lock.json'), lockText);
    execFileSync('npm', [...FIX.split(' ').slice(1), '--loglevel=error'], {
      cwd: dir,
      stdio: 'pipe',
      timeout: 120_000,
    });
    const before = JSON.parse(lockText) as { packages: Record<string, unknown> };
    const after = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as typeof before;
    const paths = new Set([...Object.keys(before.packages), ...Object.keys(after.packages)]);
    return [...paths].filter((path) => JSON.stringify(before.packages[path]) !== JSON.stringify(after.packages[path]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('package-lock.json (what `npm ci` installs on every platform)', () => {
  const lock = readFileSync(join(root, 'package-lock.json'), 'utf8');

  it(`is what npm resolves from package.json, every platform's optional packages included (fix: \`${FIX}\`)`, () => {
    const changes = lockChanges(lock);
    if (changes.length > 0)
      throw new Error(
        `package-lock.json would change (${changes.slice(0, 5).join(', ')}${changes.length > 5 ? ', …' : ''}): run \`${FIX}\` and commit it`,
      );
  }, 120_000);

  it("a lock lacking another platform's native package is caught", () => {
    const parsed = JSON.parse(lock) as { packages: Record<string, unknown> };
    expect(parsed.packages['node_modules/@swc/core-darwin-arm64']).toBeDefined();
    delete parsed.packages['node_modules/@swc/core-darwin-arm64'];
    expect(lockChanges(`${JSON.stringify(parsed, null, 2)}\n`)).toEqual(['node_modules/@swc/core-darwin-arm64']);
  }, 120_000);
});
