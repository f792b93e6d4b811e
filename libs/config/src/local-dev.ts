import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `npm run dev` leaves for the operator CLI on a developer's machine: the keys in `.env.local`
 * and, while it runs, `dev-run.json` in its data folder. That file is also the folder's lock: one dev
 * run at a time may open it. Both paths can be moved (CRM_ENV_FILE, CRM_DATA_DIR), as tests do.
 */
export interface LocalDevPaths {
  envFile: string;
  dataDir: string;
}

export function localDevPaths(root: string, env: NodeJS.ProcessEnv = process.env): LocalDevPaths {
  return {
    envFile: env.CRM_ENV_FILE ?? join(root, '.env.local'),
    dataDir: env.CRM_DATA_DIR ?? join(root, '.data'),
  };
}

/** The `NAME=value` lines of an env file (comments and blank lines skipped). */
export function readEnvFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

interface DevRunRecord {
  pid: number;
  databaseUri?: string;
}

/** Thrown when another live dev run holds the data folder. */
export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by another \`npm run dev\` (pid ${pid}): stop it first, or use its database`);
    this.name = 'DataDirInUse';
  }
}

const recordPath = (dataDir: string) => join(dataDir, 'dev-run.json');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function readRecord(dataDir: string): DevRunRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as DevRunRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process, or throws DataDirInUse naming the live run that has it.
 * The record is created exclusively, so of two runs starting together only one gets it; a record left
 * by a run that died is taken over.
 */
export function claimDataDir(dataDir: string, pid = process.pid): void {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(recordPath(dataDir), JSON.stringify({ pid }), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readRecord(dataDir);
    if (holder && isAlive(holder.pid)) throw new DataDirInUse(dataDir, holder.pid);
    unlinkSync(recordPath(dataDir));
  }
  throw new DataDirInUse(dataDir, readRecord(dataDir)?.pid ?? -1);
}

/** Records, in the claimed folder, the URI of the database this run started. */
export function recordDevDatabase(dataDir: string, databaseUri: string, pid = process.pid): void {
  writeFileSync(recordPath(dataDir), JSON.stringify({ pid, databaseUri }), { mode: 0o600 });
}

/** Gives the data folder back (only when this process holds it). */
export function releaseDataDir(dataDir: string, pid = process.pid): void {
  if (readRecord(dataDir)?.pid === pid) unlinkSync(recordPath(dataDir));
}

/** The URI of the database of a dev run that is running now, if any. */
export function runningDevDatabase(dataDir: string): string | undefined {
  const record = readRecord(dataDir);
  return record?.databaseUri && isAlive(record.pid) ? record.databaseUri : undefined;
}
