import { runCli } from '../utils/cli';
import { testEnv } from '../utils/test-app';

describe('CLI usage errors', () => {
  it.each([
    [['keys', 'rotat'], /^error: unknown command 'keys rotat' \(keys takes: status, rotate, verify\)$/],
    [['import', 'lerianx'], /^error: unknown command 'import lerianx' \(import takes: lerian\)$/],
  ])('%j: one line naming the known subcommands, non-zero exit, nothing run', async (args, message) => {
    const run = await runCli(testEnv(), args);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stdout).toBe('');
    expect(run.code).not.toBe(0);
  });

  it('a group without a subcommand prints its help and exits 0', async () => {
    const run = await runCli(testEnv(), ['keys']);
    expect(run.stdout).toMatch(/status[\s\S]*rotate[\s\S]*verify/);
    expect(run.code).toBe(0);
  });

  it('an unknown top-level command still fails the same way', async () => {
    const run = await runCli(testEnv(), ['kes']);
    expect(run.stderr.trimEnd()).toMatch(/^error: unknown command 'kes'/);
    expect(run.code).not.toBe(0);
  });
});
