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

  describe('an unreachable database', () => {
    const unreachable = { MONGO_URI: 'mongodb://operator:s3cret-pass@127.0.0.1:1/' };

    it.each([[['keys', 'status']], [['keys', 'rotate']], [['keys', 'verify']], [['import', 'lerian']]])(
      '%j: one line naming the address and what to check, no credentials, non-zero exit, within seconds',
      async (args) => {
        const startedAt = Date.now();
        const run = await runCli(testEnv(unreachable), args);
        expect(run.stderr.trimEnd().split('\n')).toEqual([
          'crm: cannot reach the database at 127.0.0.1:1 (connection refused): check MONGO_URI',
        ]);
        expect(run.code).toBe(1);
        expect(Date.now() - startedAt).toBeLessThan(15_000);
      },
    );

    it('--verbose adds the stack (and still no credentials)', async () => {
      const run = await runCli(testEnv(unreachable), ['keys', 'status', '--verbose']);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toContain('crm: cannot reach the database at 127.0.0.1:1 (connection refused): check MONGO_URI');
      expect(lines.some((line) => /^\s+at /.test(line))).toBe(true);
      expect(run.stderr).not.toContain('s3cret-pass');
      expect(run.code).toBe(1);
    });

    it('names MONGO_HOST when that is what configured the address', async () => {
      const run = await runCli(testEnv({ MONGO_URI: undefined, MONGO_HOST: '127.0.0.1', MONGO_PORT: '1' }), [
        'keys',
        'status',
      ]);
      expect(run.stderr.trimEnd()).toBe(
        'crm: cannot reach the database at 127.0.0.1:1 (connection refused): check MONGO_HOST and MONGO_PORT',
      );
    });
  });
});
