import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../../jest.config';

const root = join(__dirname, '../..');
const ENVIRONMENT = join(root, 'test/utils/held-output-environment.ts');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SummaryReporter = require('../utils/summary-reporter.cjs') as new () => {
  onRunComplete(contexts: unknown, results: unknown): void;
};

/** Runs jest on test files of its own (plain JS), under the environment of the unit and integration tests. */
function jestOn(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-output-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const jestConfig = {
      rootDir: dir,
      testMatch: ['<rootDir>/*.test.js'],
      testEnvironment: ENVIRONMENT,
      transform: { '\\.ts$': [require.resolve('@swc/jest'), { jsc: { parser: { syntax: 'typescript' } } }] },
    };
    const run = spawnSync(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--ci', '--runInBand', '--config', JSON.stringify(jestConfig)],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    return `${run.stdout}${run.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A test file whose "service" writes a log line the way Nest's console logger does. */
const serviceLogging = (marker: string, passes: boolean) => `
  test('a request', () => {
    process.stdout.write('WARN [Audit] ${marker}\\n');
    process.stderr.write('ERROR [Audit] ${marker}-stderr\\n');
    expect(${passes}).toBe(true);
  });
`;

describe('npm test output', () => {
  it.each(['unit', 'integration'])('the %s tests run in the environment that holds the service output', (name) => {
    const project = config.projects!.find(
      (candidate) => typeof candidate === 'object' && candidate.displayName === name,
    ) as { testEnvironment?: string };
    expect(project.testEnvironment).toBe('<rootDir>/test/utils/held-output-environment.ts');
  });

  it("keeps a passing file's service logs out of the output, and prints a failing file's", () => {
    const output = jestOn({
      'passing.test.js': serviceLogging('audit queue full: event dropped', true),
      'failing.test.js': serviceLogging('the log that explains the failure', false),
    });
    expect(output).toMatch(/Tests:.*1 failed.*1 passed/);
    expect(output).not.toContain('audit queue full');
    expect(output).toContain('WARN [Audit] the log that explains the failure');
    expect(output).toContain('ERROR [Audit] the log that explains the failure-stderr');
  }, 60_000);

  it('the summary names the engine, then each skipped test with its reason, after the counts', () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const engine = process.env.CRM_TEST_ENGINE;
    process.env.CRM_TEST_ENGINE = 'secantusdb';
    try {
      new SummaryReporter().onRunComplete(new Set(), {
        numPassedTests: 2,
        numFailedTests: 0,
        numRuntimeErrorTestSuites: 0,
        numPendingTests: 2,
        numTodoTests: 0,
        testResults: [
          {
            testFilePath: join(root, 'test/integration/first-run.int-spec.ts'),
            testResults: [
              { status: 'passed', ancestorTitles: ['first run'], title: 'works' },
              {
                status: 'pending',
                ancestorTitles: ['first run', 'installs into an empty cache (skipped without Go)'],
                title: 'three concurrent installs',
              },
            ],
          },
          {
            testFilePath: join(root, 'test/deployment/deployment.spec.ts'),
            testResults: [{ status: 'pending', ancestorTitles: ['helm chart'], title: 'helm unavailable: no Go' }],
          },
        ],
      });
    } finally {
      write.mockRestore();
      if (engine === undefined) delete process.env.CRM_TEST_ENGINE;
      else process.env.CRM_TEST_ENGINE = engine;
    }
    expect(written.join('')).toBe(
      [
        '',
        'Integration tests ran on secantusdb.',
        'Tests: 2 passed, 0 failed, 2 skipped',
        'Skipped:',
        '  test/integration/first-run.int-spec.ts: first run › installs into an empty cache (skipped without Go) › three concurrent installs',
        '  test/deployment/deployment.spec.ts: helm chart › helm unavailable: no Go',
        '',
      ].join('\n'),
    );
  });
});
