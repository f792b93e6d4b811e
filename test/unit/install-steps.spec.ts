import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const SCRIPTS = join(root, 'scripts');

/** Runs a step through the shared install helper, as the scripts do. */
function installStep(name: string, command: string) {
  const cache = mkdtempSync(join(tmpdir(), 'crm-install-step-'));
  try {
    return spawnSync(
      'bash',
      ['-c', `source "${SCRIPTS}/lib/install-once.sh"; with_install_lock "$0" bash -c "$1"`, name, command],
      { env: { ...process.env, CRM_CACHE_DIR: cache }, encoding: 'utf8' },
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Lines that install something: a download or a build that can take minutes on a cold cache. */
const INSTALL_COMMAND = /\b(npm (install|ci|pack)|go (install|build|mod download)|curl|wget)\b/;

/** The shell functions of a script, with their bodies (functions open with `name() {` and close with `}` at column 0). */
function shellFunctions(text: string): Map<string, string> {
  const functions = new Map<string, string>();
  for (const match of text.matchAll(/^([a-z_]+)\(\) \{\n([\s\S]*?)^\}$/gm)) functions.set(match[1], match[2]);
  return functions;
}

describe('install steps (a cold `npm test` is never silent for minutes)', () => {
  it('a step says when it starts and, when it ends, how long it took', () => {
    const run = installStep('demo-tool-v1', 'sleep 1');
    expect(run.status).toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'install: demo-tool-v1 started (once; later runs use the cache)',
      expect.stringMatching(/^install: demo-tool-v1 done in [12]s$/),
    ]);
  });

  it('a step that fails says so, with the time taken, and keeps its exit code', () => {
    const run = installStep('broken-tool', 'exit 7');
    expect(run.status).toBe(7);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(/^install: broken-tool failed after \d+s$/);
  });

  it('every install command in scripts/ runs inside a function run through with_install_lock', () => {
    const scripts = readdirSync(SCRIPTS).filter((file) => file.endsWith('.sh'));
    const steps: string[] = [];
    for (const file of scripts) {
      const text = readFileSync(join(SCRIPTS, file), 'utf8');
      for (const [name, body] of shellFunctions(text)) {
        if (!body.split('\n').some((line) => INSTALL_COMMAND.test(line.replace(/#.*$/, '')))) continue;
        steps.push(`${file}:${name}`);
        expect(`${file}:${name}: ${new RegExp(`with_install_lock\\s+\\S+\\s+${name}\\b`).test(text)}`).toBe(
          `${file}:${name}: true`,
        );
      }
    }
    // The steps this check knows of (so that it cannot pass by finding none).
    expect(steps).toEqual(
      expect.arrayContaining([
        'ferretdb.sh:build',
        'helm.sh:build',
        'node-env.sh:download_node',
        'run-node.sh:install_dependencies',
      ]),
    );
  });
});
