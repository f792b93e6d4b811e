/**
 * `npm run dev`: runs the service on a fresh clone.
 * - Keys: `.env.local` (git-ignored) is created on first use with freshly generated keys.
 * - Database: MONGO_URI when set, otherwise an embedded server with its data in `.data/` (git-ignored),
 *   so it survives restarts (mongodb-memory-server, or FerretDB where mongod cannot be downloaded).
 * - When the service answers, one line says where: the API, Swagger UI and the database in use.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@crm/config';
import { startEmbeddedMongo } from './embedded-mongo';

const root = join(__dirname, '..');
/** CRM_ENV_FILE points elsewhere (the dev-run test uses a temporary file). */
const envFile = process.env.CRM_ENV_FILE ?? join(root, '.env.local');

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
  const entries = readFileSync(envFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries.filter(([key]) => process.env[key] === undefined));
}

/** Polls /health until the service answers (or exits), then prints where everything is. */
async function announceWhenReady(env: NodeJS.ProcessEnv, database: string, running: () => boolean): Promise<void> {
  const { port } = loadConfig(env).server;
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

async function main(): Promise<void> {
  ensureLocalEnv();
  const env: NodeJS.ProcessEnv = { ...process.env, ...localEnv() };
  let stopDatabase: () => Promise<void> = () => Promise.resolve();
  let database = 'MONGO_URI (from the environment)';
  if (!env.MONGO_URI && !env.MONGO_HOST) {
    const embedded = await startEmbeddedMongo({ dataDir: join(root, '.data') });
    env.MONGO_URI = embedded.uri;
    stopDatabase = () => embedded.stop();
    database = `${embedded.kind} at ${embedded.uri} (data in .data/)`;
  } else if (env.MONGO_HOST) {
    database = `${env.MONGO_HOST} (MONGO_HOST)`;
  }
  const service = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'apps/crm/src/main.ts')], {
    env,
    stdio: 'inherit',
    cwd: root,
  });
  let running = true;
  const forward = (signal: NodeJS.Signals) => service.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  service.on('exit', (code) => {
    running = false;
    void stopDatabase().finally(() => process.exit(code ?? 0));
  });
  await announceWhenReady(env, database, () => running);
}

void main();
