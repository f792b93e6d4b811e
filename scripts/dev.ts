/**
 * `npm run dev`: runs the service on a fresh clone.
 * - Keys: `.env.local` (git-ignored) is created on first use with freshly generated keys.
 * - Database: MONGO_URI when set, otherwise an embedded server with its data in `.data/` (git-ignored),
 *   so it survives restarts (mongodb-memory-server, or FerretDB where mongod cannot be downloaded).
 * - When the service answers, one line says where: the API, Swagger UI and the database in use.
 * - One dev run at a time holds `.data/` (a second is refused, naming the first's pid); `.data/dev-run.json`
 *   records the embedded database's URI, where `npm run cli` finds it.
 * - An invalid configuration is refused before anything starts; a failed start stops what it started.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  claimDataDir,
  ConfigError,
  DataDirInUse,
  loadConfig,
  localDevPaths,
  readEnvFile,
  recordDevDatabase,
  releaseDataDir,
} from '@crm/config';
import { startEmbeddedMongo } from './embedded-mongo';

const root = join(__dirname, '..');
/** CRM_ENV_FILE and CRM_DATA_DIR point elsewhere (the dev-run tests use temporary ones). */
const { envFile, dataDir } = localDevPaths(root);
/** Stands in for the embedded database's URI while the rest of the configuration is checked. */
const EMBEDDED_PLACEHOLDER_URI = 'mongodb://127.0.0.1/';

function ensureLocalEnv(): void {
  if (existsSync(envFile)) return;
  const lines = [
    '# Local development settings, created by `npm run dev`. Git-ignored: never commit keys.',
    `LCRYPTO_ENCRYPT_SECRET_KEY=${randomBytes(32).toString('hex')}`,
    `LCRYPTO_HASH_SECRET_KEY=${randomBytes(32).toString('hex')}`,
    'LOG_LEVEL=info',
  ];
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  process.stderr.write(
    'dev: created .env.local with freshly generated encryption and hash keys (keep it: data written with them needs them)\n',
  );
}

/** Values from .env.local, never overriding the caller's environment. */
function localEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(readEnvFile(envFile)).filter(([key]) => process.env[key] === undefined));
}

/** Polls /health until the service answers (or exits), then prints where everything is. */
async function announceWhenReady(port: number, database: string, running: () => boolean): Promise<void> {
  const base = `http://localhost:${port}`;
  while (running()) {
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) {
      process.stderr.write(`dev: ready at ${base} — Swagger UI ${base}/swagger — database: ${database}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Where the service's database is, and how to stop it when this run started it. */
interface Database {
  description: string;
  stop(): Promise<void>;
}

/**
 * MONGO_URI or MONGO_HOST when given; otherwise an embedded server on the data folder, which this run
 * holds (and records the server's URI in, for `npm run cli`) until the server is stopped.
 */
async function startDatabase(env: NodeJS.ProcessEnv): Promise<Database> {
  if (env.MONGO_URI) return { description: 'MONGO_URI (from the environment)', stop: () => Promise.resolve() };
  if (env.MONGO_HOST) return { description: `${env.MONGO_HOST} (MONGO_HOST)`, stop: () => Promise.resolve() };
  claimDataDir(dataDir);
  try {
    const embedded = await startEmbeddedMongo({ dataDir });
    env.MONGO_URI = embedded.uri;
    recordDevDatabase(dataDir, embedded.uri);
    return {
      description: `${embedded.kind} at ${embedded.uri} (data in ${dataDir})`,
      stop: () => embedded.stop().finally(() => releaseDataDir(dataDir)),
    };
  } catch (error) {
    releaseDataDir(dataDir);
    throw error;
  }
}

/**
 * `--events`: a Kafka broker (scripts/kafka.sh) with its data in the data folder, and the service's change
 * events streamed to it. Off by default: the broker needs Java and takes a few seconds to start.
 */
function startBroker(env: NodeJS.ProcessEnv): Database {
  const brokerDir = join(dataDir, 'kafka');
  const address = execFileSync('bash', [join(root, 'scripts/kafka.sh'), 'start', brokerDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  env.STREAMING_ENABLED = 'true';
  env.STREAMING_BROKERS = address;
  return {
    description: `change events to Kafka at ${address}`,
    stop: () => {
      execFileSync('bash', [join(root, 'scripts/kafka.sh'), 'stop', brokerDir], { stdio: 'inherit' });
      return Promise.resolve();
    },
  };
}

/** The database, and the broker when asked for, as one thing to describe and stop. */
async function startDependencies(env: NodeJS.ProcessEnv): Promise<Database> {
  const database = await startDatabase(env);
  if (!process.argv.includes('--events')) return database;
  try {
    const broker = startBroker(env);
    return {
      description: `${database.description} — ${broker.description}`,
      stop: () => broker.stop().finally(() => database.stop()),
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

/** The service's port, once the configuration is known to be valid (before anything is started). */
function checkedPort(env: NodeJS.ProcessEnv): number {
  const embedded = !env.MONGO_URI && !env.MONGO_HOST;
  return loadConfig(embedded ? { ...env, MONGO_URI: EMBEDDED_PLACEHOLDER_URI } : env).server.port;
}

async function main(): Promise<void> {
  ensureLocalEnv();
  const env: NodeJS.ProcessEnv = { ...process.env, ...localEnv() };
  const port = checkedPort(env);
  // Ctrl-C while the database starts: stop it once started, rather than leave it running.
  let interrupted: NodeJS.Signals | undefined;
  let forward = (signal: NodeJS.Signals): void => {
    interrupted = signal;
  };
  process.on('SIGINT', (signal) => forward(signal));
  process.on('SIGTERM', (signal) => forward(signal));
  const database = await startDependencies(env);
  if (interrupted) {
    await database.stop();
    process.exit(interrupted === 'SIGINT' ? 130 : 143);
  }
  const service = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'apps/crm/src/main.ts')], {
    env,
    stdio: 'inherit',
    cwd: root,
  });
  let running = true;
  forward = (signal) => void service.kill(signal);
  service.on('exit', (code) => {
    running = false;
    void database.stop().finally(() => process.exit(code ?? 0));
  });
  await announceWhenReady(port, database.description, () => running);
}

/** A failure before the service runs: its message alone (no stack), with the exit code the service would use. */
main().catch((error: Error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`dev: refusing to start. ${error.message}\n`);
    process.exit(78); // EX_CONFIG, as the service
  }
  process.stderr.write(
    `dev: ${error instanceof DataDirInUse ? '' : `failed to start: ${error.name}: `}${error.message}\n`,
  );
  process.exit(1);
});
