import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { startEmbeddedMongo } from '../../scripts/embedded-mongo';
import { runCli } from '../utils/cli';
import { freePort } from '../utils/ports';
import { testEnv } from '../utils/test-app';
import { waitUntil } from '../utils/eventually';

const root = join(__dirname, '../..');
const run = promisify(execFile);
const hasGo = spawnSync('go', ['version']).status === 0;
const hasPythonVenv = spawnSync('python3', ['-c', 'import venv, ensurepip']).status === 0;

/** Resolves with the first line of the dev run's stderr that starts with `prefix` (rejects if it exits first). */
function waitForLine(run: { stderr: () => string; exited: Promise<number | null> }, prefix: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = run
        .stderr()
        .split('\n')
        .find((candidate) => candidate.startsWith(prefix));
      if (line) {
        clearInterval(timer);
        resolve(line);
      }
    }, 50);
    void run.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`dev exited with ${code}: ${run.stderr()}`));
    });
  });
}

/** What a new user meets: `npm run dev` and the first installs into an empty cache. */
describe('first run', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe('npm run dev', () => {
    let dev: ChildProcess | undefined;
    afterEach(() => dev?.kill('SIGTERM'));

    /** Starts `npm run dev` with its key file and data folder in the scratch directory. */
    function startDev(name: string, env: Record<string, string | undefined>, args: string[] = []) {
      const paths = { envFile: join(scratch, `${name}.env`), dataDir: join(scratch, `${name}-data`) };
      dev = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'scripts/dev.ts'), ...args], {
        cwd: root,
        env: { ...process.env, CRM_ENV_FILE: paths.envFile, CRM_DATA_DIR: paths.dataDir, LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      dev.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => dev!.on('exit', (code) => resolve(code)));
      return { ...paths, exited, stderr: () => stderr };
    }

    it('creates its key file and prints one line with the URL, Swagger UI and the database once ready', async () => {
      const port = await freePort();
      const run = startDev('ready', { SERVER_PORT: String(port), MONGO_NAME: `crm_dev_${randomUUID().slice(0, 8)}` });
      const ready = await new Promise<string>((resolve, reject) => {
        dev!.stderr!.on('data', () => {
          const line = run
            .stderr()
            .split('\n')
            .find((candidate) => candidate.startsWith('dev: ready'));
          if (line) resolve(line);
        });
        void run.exited.then((code) => reject(new Error(`dev exited with ${code}: ${run.stderr()}`)));
      });
      expect(ready).toBe(
        `dev: ready at http://localhost:${port} — Swagger UI http://localhost:${port}/swagger — database: MONGO_URI (from the environment)`,
      );
      expect(readFileSync(run.envFile, 'utf8')).toMatch(/^LCRYPTO_ENCRYPT_SECRET_KEY=[0-9a-f]{64}$/m);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    });

    it('with --events, starts a Kafka broker, streams change events to it, and stops it on exit', async () => {
      const port = await freePort();
      const run = startDev('events', { SERVER_PORT: String(port), MONGO_NAME: `crm_dev_${randomUUID().slice(0, 8)}` }, [
        '--events',
      ]);
      const ready = await waitForLine(run, 'dev: ready');
      const address = /change events to Kafka at (127\.0\.0\.1:\d+)/.exec(ready)?.[1];
      expect(address).toBeDefined();
      const created = await fetch(`http://127.0.0.1:${port}/v1/holders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-organization-id': randomUUID() },
        body: JSON.stringify({ type: 'NATURAL_PERSON', name: 'Dev Events', document: '52998224725' }),
      });
      const { id } = (await created.json()) as { id: string };
      const { Consumer, stringDeserializers } = await import('@platformatic/kafka');
      const consumer = new Consumer({
        clientId: 'dev-test',
        groupId: `dev-test-${randomUUID()}`,
        bootstrapBrokers: [address!],
        deserializers: stringDeserializers,
        maxWaitTime: 200,
      });
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { timeoutMs: 20_000 });
      const stream = await consumer.consume({ topics: ['lerian.streaming.crm_holder.created'], mode: 'earliest' });
      let subject: string | undefined;
      for await (const message of stream) {
        subject = message.headers.get('ce-subject');
        if (subject === id) break;
      }
      await stream.close();
      await consumer.close(true);
      expect(subject).toBe(id);
      dev!.kill('SIGTERM');
      await run.exited;
      expect(existsSync(join(run.dataDir, 'kafka', 'kafka.pid'))).toBe(false);
    }, 120_000);

    it('refuses an invalid configuration with its message alone, exit 78, before starting a database', async () => {
      const run = startDev('invalid', { MONGO_URI: undefined, PLUGIN_AUTH_ENABLED: 'true' });
      expect(await run.exited).toBe(78);
      const lines = run.stderr().trimEnd().split('\n');
      expect(lines).toContain('dev: refusing to start. Invalid configuration:');
      expect(lines.some((line) => line.includes('PLUGIN_AUTH_ADDRESS'))).toBe(true);
      expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
      // No embedded database was started in its data folder, and none is left holding it.
      expect(existsSync(join(run.dataDir, 'ferretdb'))).toBe(false);
      expect(existsSync(join(run.dataDir, 'mongodb'))).toBe(false);
      expect(existsSync(join(run.dataDir, 'dev-run.json'))).toBe(false);
    });

    it('refuses, in one line naming its pid, a data folder that another running dev run holds', async () => {
      const dataDir = join(scratch, 'busy-data');
      mkdirSync(dataDir, { recursive: true });
      // This test process stands for the dev run that holds the folder: it is alive.
      writeFileSync(join(dataDir, 'dev-run.json'), JSON.stringify({ pid: process.pid }));
      const run = startDev('busy', { MONGO_URI: undefined });
      expect(await run.exited).toBe(1);
      expect(run.stderr().trimEnd().split('\n').at(-1)).toBe(
        `dev: ${dataDir} is in use by another \`npm run dev\` (pid ${process.pid}): stop it first, or use its database`,
      );
      expect(existsSync(join(dataDir, 'ferretdb'))).toBe(false);
      expect(existsSync(join(dataDir, 'mongodb'))).toBe(false);
    });
  });

  describe('npm run cli beside npm run dev', () => {
    it('finds the running dev database and the keys in .env.local by itself, saying so in one line', async () => {
      const envFile = join(scratch, 'cli.env');
      const dataDir = join(scratch, 'cli-data');
      const { MONGO_URI, MONGO_NAME, ...keys } = testEnv();
      writeFileSync(
        envFile,
        Object.entries(keys)
          .filter(([name]) => name.startsWith('LCRYPTO_'))
          .map(([name, value]) => `${name}=${value}\n`)
          .join(''),
      );
      mkdirSync(dataDir, { recursive: true });
      // As `npm run dev` records it; this test process stands for the running dev run.
      writeFileSync(join(dataDir, 'dev-run.json'), JSON.stringify({ pid: process.pid, databaseUri: MONGO_URI }));
      const run = await runCli({ CRM_ENV_FILE: envFile, CRM_DATA_DIR: dataDir, MONGO_NAME }, ['keys', 'status']);
      expect(run.stderr.split('\n')[0]).toBe(
        `crm: using the database of the running \`npm run dev\` (${MONGO_URI}, recorded in ${dataDir}) and the keys in ${envFile}`,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/holders/);
    });

    it('without a running dev run, says nothing of it and asks for MONGO_URI', async () => {
      const dataDir = join(scratch, 'stale-data');
      mkdirSync(dataDir, { recursive: true });
      const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
      writeFileSync(
        join(dataDir, 'dev-run.json'),
        JSON.stringify({ pid: deadPid, databaseUri: 'mongodb://127.0.0.1:9/' }),
      );
      const env = {
        ...testEnv({ MONGO_URI: undefined }),
        CRM_DATA_DIR: dataDir,
        CRM_ENV_FILE: join(scratch, 'absent.env'),
      };
      const run = await runCli(env, ['keys', 'status']);
      expect(run.code).toBe(78);
      expect(run.stderr).toContain('MONGO_URI or MONGO_HOST is required');
      expect(run.stderr).not.toContain('npm run dev');
    });
  });

  it('falls back to FerretDB at once, saying why in one line, when mongod cannot be downloaded', async () => {
    const lines: string[] = [];
    const previous = { mirror: process.env.MONGOMS_DOWNLOAD_MIRROR, forced: process.env.CRM_EMBEDDED_DB };
    const closedPort = await freePort(); // nothing listens there any more
    process.env.MONGOMS_DOWNLOAD_MIRROR = `http://127.0.0.1:${closedPort}`;
    delete process.env.CRM_EMBEDDED_DB;
    try {
      const server = await startEmbeddedMongo({ log: (line) => lines.push(line) });
      await server.stop();
      expect(server.kind).toBe('ferretdb');
      expect(lines).toEqual([
        `embedded-mongo: using FerretDB: no mongod is cached and 127.0.0.1:${closedPort} cannot be reached (ECONNREFUSED)`,
      ]);
    } finally {
      for (const [name, value] of [
        ['MONGOMS_DOWNLOAD_MIRROR', previous.mirror],
        ['CRM_EMBEDDED_DB', previous.forced],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  (hasGo ? describe : describe.skip)('installs into an empty cache (skipped without Go)', () => {
    it('three concurrent FerretDB installs all succeed: one builds, the others wait for its whole binary', async () => {
      const cache = join(scratch, 'cache');
      const env = { ...process.env, CRM_CACHE_DIR: cache };
      const installs = await Promise.all(
        [1, 2, 3].map(() => run('bash', [join(root, 'scripts/ferretdb.sh'), 'install'], { env, timeout: 600_000 })),
      );
      const paths = new Set(installs.map(({ stdout }) => stdout.trim()));
      expect(paths).toEqual(new Set([join(cache, 'ferretdb-v1.24.2/ferretdb')]));
      // One build, not three into one path (which broke a cold `npm test` beside a first `npm run dev`).
      expect(
        installs
          .map(({ stderr }) => stderr)
          .join('')
          .match(/building FerretDB/g),
      ).toHaveLength(1);
      const binary = [...paths][0];
      expect(existsSync(binary)).toBe(true);
      expect((await run(binary, ['--version'])).stdout).toContain('v1.24.2');
    }, 600_000);
  });

  (hasPythonVenv ? describe : describe.skip)(
    'installs SecantusDB into an empty cache (skipped without python3 venv)',
    () => {
      it('two concurrent installs: one installs (saying each step and its time), the other waits; it then starts', async () => {
        const cache = join(scratch, 'secantus-cache');
        const env = { ...process.env, CRM_CACHE_DIR: cache };
        const script = join(root, 'scripts/secantusdb.sh');
        const installs = await Promise.all(
          [1, 2].map(() => run('bash', [script, 'install'], { env, timeout: 600_000 })),
        );
        expect(new Set(installs.map(({ stdout }) => stdout.trim()))).toEqual(
          new Set([join(cache, 'secantusdb-0.7.0b3')]),
        );
        const stderr = installs.map((install) => install.stderr).join('');
        expect(stderr.match(/installing SecantusDB/g)).toHaveLength(1);
        expect(stderr).toMatch(/secantusdb\.sh: installing secantusdb 0\.7\.0b3 from PyPI: done in \d+ s/);
        // The environment was built under a temporary name and renamed: it must still start a server.
        const dataDir = join(scratch, 'secantus-data');
        const uri = (await run('bash', [script, 'start', dataDir], { env })).stdout.trim();
        try {
          expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
          const connection = await mongoose.createConnection(uri).asPromise();
          expect((await connection.db!.admin().ping()).ok).toBe(1);
          await connection.close();
        } finally {
          await run('bash', [script, 'stop', dataDir], { env });
        }
      }, 600_000);
    },
  );
});
