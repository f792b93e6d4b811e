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
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
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
