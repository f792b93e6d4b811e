import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import SwaggerParser from '@apidevtools/swagger-parser';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FakeMidaz } from '../utils/fake-midaz';
import { freePort } from '../utils/ports';
import { testEnv } from '../utils/test-app';
import { waitUntil } from '../utils/eventually';
import { organizationHeaders } from '../factories/organization';

// These tests run the real entry point (apps/crm/src/main.ts) as its own process.
const root = join(__dirname, '../..');
const MAIN = join(root, 'apps/crm/src/main.ts');

function runService(env: Record<string, string | undefined>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function get(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

const waitForStatus = (url: string, status: number, timeoutMs: number): Promise<boolean> =>
  waitUntil(async () => (await get(url)) === status, { timeoutMs, intervalMs: 100 });

describe('the service process', () => {
  it('refuses to start on a bad configuration, naming each variable and never the secret', async () => {
    const badKey = 'abc123'.repeat(10);
    const { output, exited } = runService({ ...testEnv(), LCRYPTO_ENCRYPT_SECRET_KEY: badKey, SERVER_PORT: 'eighty' });
    expect(await exited).toBe(78);
    expect(output()).toContain('refusing to start');
    expect(output()).toContain('LCRYPTO_ENCRYPT_SECRET_KEY: must be exactly 64 hexadecimal characters');
    expect(output()).toContain('SERVER_PORT: must be a number');
    expect(output()).not.toContain(badKey);
  });

  it('drains on SIGTERM: readiness turns 503 while liveness still answers, then it exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const service = runService({
      ...testEnv(),
      SERVER_ADDRESS: `127.0.0.1:${port}`,
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    try {
      expect(await waitForStatus(`${base}/readyz`, 200, 30_000)).toBe(true);
      service.child.kill('SIGTERM');
      expect(await waitForStatus(`${base}/readyz`, 503, 1000)).toBe(true);
      expect(await get(`${base}/health`)).toBe(200);
      expect(await service.exited).toBe(0);
      expect(await get(`${base}/health`)).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  it('lets an in-flight request finish after SIGTERM before exiting', async () => {
    const midaz = new FakeMidaz();
    await midaz.start();
    const organizationId = randomUUID();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const service = runService({
      ...testEnv(),
      SERVER_ADDRESS: `127.0.0.1:${port}`,
      MIDAZ_LEDGER_URL: midaz.url,
      MIDAZ_TIMEOUT_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '8000',
    });
    try {
      expect(await waitForStatus(`${base}/readyz`, 200, 30_000)).toBe(true);
      const headers = organizationHeaders(organizationId, { 'content-type': 'application/json' });
      const holder = (await (
        await fetch(`${base}/v1/holders`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'NATURAL_PERSON', name: 'In Flight', document: '52998224725' }),
        })
      ).json()) as { id: string };
      const ledgerId = randomUUID();
      const accountId = randomUUID();
      midaz.addAccount(organizationId, ledgerId, accountId);
      midaz.delayMs = 1500; // the alias request is still waiting on Midaz when SIGTERM arrives
      const inFlight = fetch(`${base}/v1/holders/${holder.id}/aliases`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ledgerId, accountId }),
      });
      while (midaz.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      service.child.kill('SIGTERM');
      expect((await inFlight).status).toBe(201);
      expect(await service.exited).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
      await midaz.stop();
    }
  });

  it('npm run openapi writes a valid OpenAPI document without a database', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'crm-openapi-')), 'openapi.json');
    const run = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'apps/crm/src/cli/write-openapi.ts'), target],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(0);
    const document = JSON.parse(readFileSync(target, 'utf8'));
    await SwaggerParser.validate(structuredClone(document));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/holders',
        '/v1/aliases',
        '/v1/holders/{holder_id}/aliases/{alias_id}/related-parties/{related_party_id}',
      ]),
    );
  });
});
