/**
 * A MongoDB-wire server for tests and local runs when MONGO_URI is not given:
 * mongodb-memory-server where mongod can be downloaded, otherwise FerretDB 1.24 (scripts/ferretdb.sh);
 * SecantusDB (scripts/secantusdb.sh, real secondary indexes and a query planner) when asked for.
 * Used by the jest global setup, `npm run dev` and the benchmarks.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedMongo {
  uri: string;
  kind: 'mongodb-memory-server' | ScriptedEngine;
  stop(): Promise<void>;
}

/** The engines installed and started by a script of their own: `scripts/<kind>.sh start|stop DIR`. */
type ScriptedEngine = 'ferretdb' | 'secantusdb';

/**
 * Why mongodb-memory-server cannot work here, or undefined when it can: a mongod it downloaded before
 * (or MONGOMS_SYSTEM_BINARY), or a download server that answers within a few seconds. Asked first, so a
 * machine without internet falls back at once, with one line, instead of after a failed download's stack.
 */
async function mongodUnavailable(): Promise<string | undefined> {
  const { DryMongoBinary } = await import('mongodb-memory-server');
  if (
    process.env.MONGOMS_SYSTEM_BINARY ||
    (await DryMongoBinary.locateBinary({ version: process.env.MONGOMS_VERSION ?? '' }).catch(() => undefined))
  )
    return undefined;
  const mirror = process.env.MONGOMS_DOWNLOAD_MIRROR ?? 'https://fastdl.mongodb.org';
  try {
    await fetch(mirror, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `no mongod is cached and ${new URL(mirror).host} cannot be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`;
  }
}

async function startMemoryServer(dataDir?: string): Promise<EmbeddedMongo> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: dataDir ? { dbPath: dataDir, storageEngine: 'wiredTiger' } : {},
  });
  return {
    uri: server.getUri(),
    kind: 'mongodb-memory-server',
    stop: async () => void (await server.stop({ doCleanup: !dataDir })),
  };
}

function startScripted(kind: ScriptedEngine, dataDir?: string): EmbeddedMongo {
  const script = join(__dirname, `${kind}.sh`);
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), `crm-${kind}-`));
  mkdirSync(dir, { recursive: true });
  const uri = execFileSync('bash', [script, 'start', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return {
    uri,
    kind,
    stop: () => {
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * Starts the first server that works. `CRM_EMBEDDED_DB=ferretdb|secantusdb|mongodb-memory-server`
 * forces one. With `dataDir`, data lives there and survives restarts (the dev run); without it, in a temp dir.
 */
export async function startEmbeddedMongo(
  options: { dataDir?: string; log?: (line: string) => void } = {},
): Promise<EmbeddedMongo> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const forced = process.env.CRM_EMBEDDED_DB;
  if (forced === 'secantusdb')
    return startScripted('secantusdb', options.dataDir && join(options.dataDir, 'secantusdb'));
  if (forced !== 'ferretdb') {
    const unavailable = forced === 'mongodb-memory-server' ? undefined : await mongodUnavailable();
    if (unavailable) {
      log(`embedded-mongo: using FerretDB: ${unavailable}`);
    } else {
      try {
        return await startMemoryServer(options.dataDir && join(options.dataDir, 'mongodb'));
      } catch (error) {
        if (forced === 'mongodb-memory-server') throw error;
        log(
          `embedded-mongo: using FerretDB: mongodb-memory-server failed (${(error as Error).message.split('\n')[0].slice(0, 160)})`,
        );
      }
    }
  }
  return startScripted('ferretdb', options.dataDir && join(options.dataDir, 'ferretdb'));
}
