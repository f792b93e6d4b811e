import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROBE_RESULT_PREFIX } from '../telemetry/probe-output';

/**
 * Runs a probe of test/telemetry in a process of its own (telemetry has to start before the modules it
 * instruments are loaded) and returns the result it printed, with all its stdout lines.
 */
export function runProbe<Result>(
  script: string,
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): { result: Result; lines: string[] } {
  const probe = spawnSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, '../telemetry', script)], {
    cwd: join(__dirname, '../..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = probe.stdout.split('\n').filter(Boolean);
  const resultLine = lines.find((text) => text.startsWith(PROBE_RESULT_PREFIX));
  if (!resultLine) throw new Error(`probe printed no result: ${probe.stderr}`);
  return { result: JSON.parse(resultLine.slice(PROBE_RESULT_PREFIX.length)) as Result, lines };
}
