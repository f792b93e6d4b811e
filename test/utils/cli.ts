import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const CLI = join(root, 'apps/crm/src/cli/main.ts');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `npm run cli -- <args>` as its own process (the real entry point), with only the given environment. */
export function startCli(env: Record<string, string | undefined>, args: string[]): CliRun {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', CLI, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collected(child);
}

/**
 * Starts the CLI on a terminal of its own (a pseudo-terminal from util-linux `script`): what it writes
 * to stdout and stderr arrives, as a terminal shows it, on `stdout`; `pressCtrlC` types Ctrl-C on it,
 * which the terminal turns into SIGINT for the CLI.
 */
export function startCliOnTerminal(
  env: Record<string, string | undefined>,
  args: string[],
): CliRun & { pressCtrlC: () => void } {
  // `exec`: the CLI replaces script's shell, so Ctrl-C reaches the CLI alone (a shell would die of it first).
  const command = `exec ${[process.execPath, '-r', '@swc-node/register', CLI, ...args].map((word) => `'${word}'`).join(' ')}`;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return { ...collected(child), pressCtrlC: () => child.stdin.write('\x03') };
}

function collected(child: ChildProcess): CliRun {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // On close, not exit: by then everything the process wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs a CLI command to its end. */
export async function runCli(
  env: Record<string, string | undefined>,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(env, args);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
