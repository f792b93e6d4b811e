import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDataDir, DataDirInUse, recordDevDatabase, releaseDataDir, runningDevDatabase } from './local-dev';

describe('the dev run record (lock of the data folder, address of its database)', () => {
  let dataDir: string;
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;
  beforeEach(() => (dataDir = join(mkdtempSync(join(tmpdir(), 'crm-local-dev-')), 'data')));
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('one live run holds the folder; a second is refused with the holder pid', () => {
    claimDataDir(dataDir, process.pid);
    expect(() => claimDataDir(dataDir, process.pid + 1)).toThrow(DataDirInUse);
    expect(() => claimDataDir(dataDir, process.pid + 1)).toThrow(`(pid ${process.pid})`);
  });

  it('a record left by a run that died is taken over', () => {
    claimDataDir(dataDir, deadPid());
    expect(() => claimDataDir(dataDir, process.pid)).not.toThrow();
  });

  it('the recorded database is found while its run lives, not after', () => {
    claimDataDir(dataDir, process.pid);
    expect(runningDevDatabase(dataDir)).toBeUndefined(); // claimed, database not started yet
    recordDevDatabase(dataDir, 'mongodb://127.0.0.1:27099/', process.pid);
    expect(runningDevDatabase(dataDir)).toBe('mongodb://127.0.0.1:27099/');
    recordDevDatabase(dataDir, 'mongodb://127.0.0.1:27099/', deadPid());
    expect(runningDevDatabase(dataDir)).toBeUndefined();
  });

  it('only the holder releases the folder', () => {
    claimDataDir(dataDir, process.pid);
    releaseDataDir(dataDir, process.pid + 1);
    expect(existsSync(join(dataDir, 'dev-run.json'))).toBe(true);
    releaseDataDir(dataDir, process.pid);
    expect(existsSync(join(dataDir, 'dev-run.json'))).toBe(false);
    expect(runningDevDatabase(dataDir)).toBeUndefined();
  });
});
