/**
 * API benchmark: `npm run bench:api [-- --quick] [-- --json] [-- --no-build]`. Prints figures; asserts nothing.
 *
 * Builds and starts the compiled service (LOG_LEVEL=info, output to /dev/null) on its own FerretDB
 * (or targets CRM_URL, with CRM_PID for its CPU, and MONGO_URI for the floor), with a tiny fake Midaz
 * that knows every ledger and account. It seeds a data set through the API itself (the POST routes are
 * measured while seeding), then runs each route with 8 concurrent clients and reports req/s, p50/p99
 * latency and the service process's CPU time (utime + stime from /proc/<pid>/stat, all its threads)
 * divided by the requests. The raw-driver floor does the same writes and reads with the MongoDB driver
 * alone on a copy of the stored documents; its CPU is the bench process's own (driver + load loop).
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { Pool } from 'undici';
import { testKeys } from '../test/factories/keys';
import { startEmbeddedMongo, EmbeddedMongo } from '../scripts/embedded-mongo';

type MongoClient = InstanceType<typeof mongoose.mongo.MongoClient>;
type Db = ReturnType<MongoClient['db']>;

const ARGS = new Set(process.argv.slice(2));
const QUICK = ARGS.has('--quick');
const JSON_OUT = ARGS.has('--json');
const CONCURRENCY = 8;
const SIZES = QUICK
  ? { holders: 300, aliases: 200, requests: 150, routeSeconds: 6 }
  : { holders: 1000, aliases: 600, requests: 400, routeSeconds: 10 };
/**
 * Requests each read and patch route gets before it is measured, uncounted, on a small data set of its
 * own organization (WARMUP_SET), which FerretDB answers fast. V8 compiles a route's hot code during its
 * first few hundred requests (on worker threads that wake the process); measured cold, a route at
 * FerretDB's scan-bound pace of 6-13 req/s carried that compilation on its few dozen requests. The
 * original is compiled ahead of time. The floor's reads get the same warm-up.
 */
const WARMUP_REQUESTS = QUICK ? 150 : 300;
const WARMUP_SET = { holders: 20, aliases: 10 };
const CLOCK_TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
const ROOT = join(__dirname, '..');

/** The original (Lerian CRM v3.8.0, Go) on this machine class, same method: service CPU per request (µs). */
const ORIGINAL_CPU_US: Record<string, number> = {
  'POST /v1/holders': 2000,
  'GET /v1/holders/{id}': 1000,
  'GET /v1/holders?document=': 1800,
  'GET /v1/holders?limit=10': 4800,
};

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface RouteFigures {
  route: string;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Service process CPU (or, for the floor, the bench process's) per request, µs; null when unknown. */
  cpuUsPerRequest: number | null;
}

// ---------------------------------------------------------------------------------------------------
// Measuring

function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US; // #14 utime, #15 stime
}

function selfCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * Runs `count` operations (or fewer when the time budget ends) with CONCURRENCY workers and measures them.
 * `cpu` reads the CPU counter (µs) of whatever process the figures are about.
 */
async function measure(
  route: string,
  count: number,
  operation: (index: number) => Promise<boolean>,
  cpu: (() => number) | null,
  { quiet = false } = {},
): Promise<RouteFigures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = performance.now() + SIZES.routeSeconds * 1000;
  const cpuBefore = cpu?.();
  const started = performance.now();
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const index = next++;
      const t0 = performance.now();
      const ok = await operation(index).catch((error: Error) => {
        if (errors === 0) log(`  ${route}: ${error.message}`);
        return false;
      });
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpu && cpuBefore !== undefined ? cpu() - cpuBefore : undefined;
  latencies.sort((a, b) => a - b);
  const figures: RouteFigures = {
    route,
    requests: latencies.length,
    errors,
    reqPerSec: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuUsPerRequest: cpuUs === undefined ? null : Math.round(cpuUs / Math.max(1, latencies.length)),
  };
  if (!quiet)
    log(
      `  ${route.padEnd(44)} ${String(figures.requests).padStart(5)} req ${String(figures.reqPerSec).padStart(8)} req/s  cpu ${figures.cpuUsPerRequest ?? '-'} µs/req${errors ? `  ERRORS ${errors}` : ''}`,
    );
  return figures;
}

// ---------------------------------------------------------------------------------------------------
// The service under test and its neighbours

/** A Midaz that knows every ledger and account: the CRM's check passes without the fake costing much. */
async function startFakeMidaz(): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/v1\/organizations\/([^/]+)\/ledgers\/([^/?]+)(?:\/accounts\/([^/?]+))?/.exec(request.url ?? '');
    response.writeHead(match ? 200 : 404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        match ? { id: match[3] ?? match[2], organizationId: match[1], status: { code: 'ACTIVE' } } : { code: '0000' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitReady(url: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url}/readyz did not answer 200 within 60 s`);
}

interface Target {
  url: string;
  pid?: number;
  mongoUri?: string;
  dbName?: string;
  stop(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (process.env.CRM_URL) {
    const pid = process.env.CRM_PID ? Number(process.env.CRM_PID) : undefined;
    log(
      `bench: targeting ${process.env.CRM_URL}${pid ? ` (pid ${pid})` : ' (no CRM_PID: CPU per request not measured)'}`,
    );
    return {
      url: process.env.CRM_URL,
      pid,
      mongoUri: process.env.MONGO_URI,
      dbName: process.env.MONGO_NAME,
      stop: () => Promise.resolve(),
    };
  }
  if (!ARGS.has('--no-build')) {
    log('bench: npm run build');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  let mongo: EmbeddedMongo | undefined;
  let mongoUri = process.env.MONGO_URI;
  if (!mongoUri) {
    process.env.CRM_EMBEDDED_DB ??= 'ferretdb'; // the issue's figures were taken on FerretDB
    mongo = await startEmbeddedMongo({ log });
    mongoUri = mongo.uri;
  }
  const midaz = await startFakeMidaz();
  const port = await freePort();
  const dbName = `crm_bench_${randomUUID().slice(0, 8)}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    MONGO_URI: mongoUri,
    MONGO_NAME: dbName,
    ...testKeys(),
    LOG_LEVEL: 'info',
    SERVER_PORT: String(port),
    MIDAZ_LEDGER_URL: `http://127.0.0.1:${(midaz.address() as AddressInfo).port}`,
    MIDAZ_AUTH_TOKEN: 'bench',
  };
  // BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops (for finding hot spots).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, 'dist/apps/crm/apps/crm/src/main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child);
  log(`bench: service pid ${child.pid} at ${url}, ${mongo ? mongo.kind : 'MONGO_URI'} database ${dbName}`);
  return {
    url,
    pid: child.pid,
    mongoUri,
    dbName,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      await new Promise((resolve) => midaz.close(resolve));
      await mongo?.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The data set

const SEGMENTS = ['retail', 'private', 'corporate'];
const document = (i: number) => String(10_000_000_000 + i * 7919).slice(-11);
const iban = (i: number) => `BR15 0000 0000 0000 ${String(1_000_000 + i).padStart(7, '0')} P1`;
const partyDocument = (i: number) => String(50_000_000_000 + i * 104_729).slice(-11);

/** A natural person with 12 protected values (7 core + addresses and birth date) and metadata. */
function holderBody(i: number) {
  return {
    type: 'NATURAL_PERSON',
    name: `Maria Aparecida Silva ${i}`,
    document: document(i),
    externalId: `EXT-${i}`,
    addresses: {
      primary: {
        line1: `Rua das Flores, ${i}`,
        zipCode: '01000-000',
        city: 'São Paulo',
        state: 'SP',
        country: 'BR',
        description: 'Home',
      },
    },
    contact: {
      primaryEmail: `maria.${i}@example.com`,
      mobilePhone: '+55 11 98765-4321',
      otherPhone: '+55 11 3456-7890',
    },
    naturalPerson: {
      favoriteName: 'Mari',
      birthDate: '1990-02-28',
      motherName: 'Joana Silva',
      fatherName: 'Carlos Silva',
      gender: 'Female',
    },
    metadata: { segment: SEGMENTS[i % SEGMENTS.length], tier: i % 5, vip: i % 7 === 0 },
  };
}

function aliasBody(i: number, ledgerId: string) {
  return {
    ledgerId,
    accountId: randomUUID(),
    bankingDetails: {
      branch: '0001',
      account: `${100_000 + i}-${i % 10}`,
      type: 'CACC',
      openingDate: '2025-01-01',
      iban: iban(i),
      countryCode: 'BR',
      bankId: '001',
    },
    regulatoryFields: { participantDocument: '12.345.678/0001-95' },
    relatedParties: [
      { document: partyDocument(i), name: `Roberto Lima ${i}`, role: 'PRIMARY_HOLDER', startDate: '2025-01-01' },
    ],
    metadata: { channel: i % 2 === 0 ? 'app' : 'branch' },
  };
}

// ---------------------------------------------------------------------------------------------------
// Runs

class Client {
  private readonly pool: Pool;
  constructor(
    url: string,
    private readonly organizationId: string,
  ) {
    this.pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  }

  async call({ method, path, body }: Call, expected: number): Promise<{ ok: boolean; json?: any }> {
    const response = await this.pool.request({
      method,
      path,
      headers: {
        'x-organization-id': this.organizationId,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.body.text();
    if (response.statusCode !== expected)
      throw new Error(`${method} ${path.split('?')[0]}: ${response.statusCode} ${text.slice(0, 200)}`);
    return { ok: true, json: text ? JSON.parse(text) : undefined };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

interface Seeded {
  holders: Array<{ id: string; document: string }>;
  aliases: Array<{ id: string; holderId: string; iban: string; partyDocument: string }>;
}

interface RouteSpec {
  name: string;
  count: number;
  call: (i: number) => Call;
  expected: number;
  keep?: (i: number, json: any) => void;
}

/** Runs one route's requests; `measured: false` for the warm-up (no figures, no log line). */
type RouteRunner = (client: Client, spec: RouteSpec, measured: boolean) => Promise<RouteFigures>;

const pick = <T>(items: T[], i: number) => items[(i * 7) % items.length];

/** Creates holders, then an alias on each of the first ones, through the API (the two POST routes). */
async function seed(
  client: Client,
  run: RouteRunner,
  counts: { holders: number; aliases: number },
  measured: boolean,
): Promise<Seeded> {
  const seeded: Seeded = { holders: [], aliases: [] };
  const ledgerId = randomUUID();
  const savedDeadline = SIZES.routeSeconds;
  SIZES.routeSeconds = 600; // seeding must complete
  await run(
    client,
    {
      name: 'POST /v1/holders',
      count: counts.holders,
      call: (i) => ({ method: 'POST', path: '/v1/holders', body: holderBody(i) }),
      expected: 201,
      keep: (i, json) => (seeded.holders[i] = { id: json.id, document: document(i) }),
    },
    measured,
  );
  await run(
    client,
    {
      name: 'POST /v1/holders/{id}/aliases',
      count: counts.aliases,
      call: (i) => ({
        method: 'POST',
        path: `/v1/holders/${seeded.holders[i].id}/aliases`,
        body: aliasBody(i, ledgerId),
      }),
      expected: 201,
      keep: (i, json) =>
        (seeded.aliases[i] = {
          id: json.id,
          holderId: seeded.holders[i].id,
          iban: iban(i),
          partyDocument: partyDocument(i),
        }),
    },
    measured,
  );
  SIZES.routeSeconds = savedDeadline;
  return seeded;
}

/** Every read and patch route, each with `requests` requests over the seeded records. */
function readAndPatchRoutes({ holders: h, aliases: a }: Seeded, requests: number): RouteSpec[] {
  const get = (name: string, path: (i: number) => string): RouteSpec => ({
    name,
    count: requests,
    call: (i) => ({ method: 'GET', path: path(i) }),
    expected: 200,
  });
  const patch = (name: string, path: (i: number) => string, body: (i: number) => unknown): RouteSpec => ({
    name,
    count: requests,
    call: (i) => ({ method: 'PATCH', path: path(i), body: body(i) }),
    expected: 200,
  });
  return [
    get('GET /v1/holders/{id}', (i) => `/v1/holders/${pick(h, i).id}`),
    get('GET /v1/holders/{id}/aliases/{id}', (i) => `/v1/holders/${pick(a, i).holderId}/aliases/${pick(a, i).id}`),
    get('GET /v1/holders?document=', (i) => `/v1/holders?document=${pick(h, i).document}`),
    get(
      'GET /v1/aliases?banking_details_iban=',
      (i) => `/v1/aliases?banking_details_iban=${encodeURIComponent(pick(a, i).iban)}`,
    ),
    get(
      'GET /v1/aliases?related_party_document=',
      (i) => `/v1/aliases?related_party_document=${pick(a, i).partyDocument}`,
    ),
    get('GET /v1/holders?limit=10', () => '/v1/holders?limit=10'),
    get(
      'GET /v1/holders?limit=10&metadata.segment=',
      (i) => `/v1/holders?limit=10&metadata.segment=${SEGMENTS[i % 3]}`,
    ),
    get(
      'GET /v1/holders?limit=10&cursor= (deep)',
      (i) => `/v1/holders?limit=10&cursor=${Buffer.from(pick(h, i).id).toString('base64url')}`,
    ),
    get('GET /v1/aliases?holder_id=', (i) => `/v1/aliases?holder_id=${pick(a, i).holderId}`),
    get('GET /v1/aliases?limit=10', () => '/v1/aliases?limit=10'),
    patch(
      'PATCH /v1/holders/{id}',
      (i) => `/v1/holders/${pick(h, i).id}`,
      (i) => ({ contact: { secondaryEmail: `second.${i}@example.com` }, metadata: { tier: i % 5 } }),
    ),
    patch(
      'PATCH /v1/holders/{id}/aliases/{id}',
      (i) => `/v1/holders/${pick(a, i).holderId}/aliases/${pick(a, i).id}`,
      (i) => ({ bankingDetails: { branch: String(i % 100).padStart(4, '0') }, metadata: { channel: 'app' } }),
    ),
  ];
}

/** Deletions, measured last: soft-delete aliases from the end, and holders that never had one. */
function deletionRoutes({ holders: h, aliases: a }: Seeded, requests: number): RouteSpec[] {
  const aliasless = h.slice(a.length);
  return [
    {
      name: 'DELETE /v1/holders/{id}/aliases/{id}',
      count: Math.min(requests, a.length),
      call: (i) => ({
        method: 'DELETE',
        path: `/v1/holders/${a[a.length - 1 - i].holderId}/aliases/${a[a.length - 1 - i].id}`,
      }),
      expected: 204,
    },
    {
      name: 'DELETE /v1/holders/{id}',
      count: Math.min(requests, aliasless.length),
      call: (i) => ({ method: 'DELETE', path: `/v1/holders/${aliasless[i].id}` }),
      expected: 204,
    },
  ];
}

async function runService(target: Target): Promise<{ figures: RouteFigures[]; organizationId: string }> {
  const organizationId = randomUUID();
  const client = new Client(target.url, organizationId);
  const warmupClient = new Client(target.url, randomUUID());
  const cpu = target.pid ? () => processCpuUs(target.pid!) : null;
  const figures: RouteFigures[] = [];
  const run: RouteRunner = async (on, spec, measured) => {
    const result = await measure(
      spec.name,
      spec.count,
      async (i) => {
        const { json } = await on.call(spec.call(i), spec.expected);
        spec.keep?.(i, json);
        return true;
      },
      measured ? cpu : null,
      { quiet: !measured },
    );
    if (measured) figures.push(result);
    return result;
  };

  log(
    `bench: warm-up (${WARMUP_SET.holders} holders, ${WARMUP_SET.aliases} aliases, ${WARMUP_REQUESTS} requests per route; not measured)`,
  );
  const warmupSet = await seed(warmupClient, run, WARMUP_SET, false);
  for (const spec of readAndPatchRoutes(warmupSet, WARMUP_REQUESTS)) await run(warmupClient, spec, false);

  log(`bench: seeding ${SIZES.holders} holders and ${SIZES.aliases} aliases through the API (measured)`);
  const seeded = await seed(client, run, SIZES, true);
  log('bench: routes');
  for (const spec of [...readAndPatchRoutes(seeded, SIZES.requests), ...deletionRoutes(seeded, SIZES.requests)])
    await run(client, spec, true);
  await Promise.all([client.close(), warmupClient.close()]);
  return { figures, organizationId };
}

/**
 * Per million records, from the stored documents' BSON sizes: the documents, and each index's keys
 * (the indexed values plus the record id WiredTiger stores beside each key; before its prefix
 * compression, so an upper estimate).
 */
function storageSizes(
  documents: Array<Record<string, any>>,
  indexes: Array<{ name?: string; key: Record<string, unknown> }>,
) {
  const { calculateObjectSize } = mongoose.mongo.BSON;
  const mean = (sizes: number[]) => sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
  const valueAt = (document: Record<string, any>, path: string) =>
    path.split('.').reduce((value, part) => (value == null ? undefined : value[part]), document);
  const perMillionMb = (bytes: number) => round((bytes * 1e6) / 2 ** 20, 1);
  return {
    documentBytes: Math.round(mean(documents.map((document) => calculateObjectSize(document)))),
    documentsMbPerMillion: perMillionMb(mean(documents.map((document) => calculateObjectSize(document)))),
    indexMbPerMillion: Object.fromEntries(
      indexes.map((index) => [
        index.name,
        perMillionMb(
          mean(
            documents.map(
              (document) =>
                calculateObjectSize(
                  Object.fromEntries(Object.keys(index.key).map((path) => [path, valueAt(document, path) ?? null])),
                ) + 8,
            ),
          ),
        ),
      ]),
    ),
  };
}

const sizes: Record<string, unknown> = {};

/** The same writes and reads with the driver alone, on copies of the documents the service stored. */
interface FloorOp {
  name: string;
  count: number;
  fn: (i: number) => Promise<unknown>;
}

type RawCollection = ReturnType<Db['collection']>;

/** The driver-only twins of the service's writes and reads, on collections holding copies of its records. */
function floorOps(
  h: RawCollection,
  al: RawCollection,
  holders: Array<Record<string, any>>,
  aliases: Array<Record<string, any>>,
  organizationId: string,
  requests: number,
): FloorOp[] {
  const live = { deletedAt: null };
  const token = () => randomBytes(32).toString('base64url');
  return [
    {
      name: 'insertOne holder',
      count: holders.length,
      fn: (i) =>
        h.insertOne({
          ...holders[i],
          _id: randomUUID() as never,
          search: { document: [token()] },
          createdAt: new Date(),
          updatedAt: new Date(),
          deletedAt: null,
        }),
    },
    {
      name: 'insertOne alias',
      count: aliases.length,
      fn: (i) =>
        al.insertOne({
          ...aliases[i],
          _id: randomUUID() as never,
          accountId: randomUUID(),
          createdAt: new Date(),
          updatedAt: new Date(),
          deletedAt: null,
        }),
    },
    // The service's shape: the _id alone, organization and liveness checked on the record (ScopedStore.findById).
    { name: 'findOne holder by id', count: requests, fn: (i) => h.findOne({ _id: pick(holders, i)._id }) },
    {
      name: 'find holders by document token',
      count: requests,
      fn: (i) =>
        h
          .find({ organizationId, 'search.document': { $in: [pick(holders, i).search.document].flat() }, ...live })
          .sort({ _id: 1 })
          .limit(10)
          .toArray(),
    },
    {
      name: 'find holders limit 10',
      count: requests,
      fn: () =>
        h
          .find({ organizationId, ...live })
          .sort({ _id: 1 })
          .limit(10)
          .toArray(),
    },
    {
      name: 'updateOne holder $set',
      count: requests,
      fn: (i) =>
        h.updateOne(
          { _id: pick(holders, i)._id, organizationId, ...live },
          { $set: { 'contact.secondaryEmail': pick(holders, i).name, updatedAt: new Date() } },
        ),
    },
    {
      name: 'updateOne alias soft delete',
      count: Math.min(requests, aliases.length),
      fn: (i) => al.updateOne({ _id: aliases[i]._id, organizationId, ...live }, { $set: { deletedAt: new Date() } }),
    },
  ];
}

async function runFloor(target: Target, organizationId: string): Promise<RouteFigures[]> {
  if (!target.mongoUri || !target.dbName) {
    log('bench: no MONGO_URI/MONGO_NAME for the floor: skipped');
    return [];
  }
  const client = await new mongoose.mongo.MongoClient(target.mongoUri, { maxPoolSize: CONCURRENCY * 2 }).connect();
  try {
    const source: Db = client.db(target.dbName);
    const floor: Db = client.db(`${target.dbName}_floor`);
    const copy = async (name: string) => {
      const documents = await source.collection(name).find({ organizationId }).toArray();
      const indexes = (await source.collection(name).indexes()).filter((index) => index.name !== '_id_');
      await floor.collection(name).createIndexes(
        indexes.map(({ key, name: indexName, unique }) => ({
          key,
          name: indexName,
          ...(unique ? { unique: true } : {}),
        })),
      );
      return documents;
    };
    const holders = (await copy('holders')) as Array<Record<string, any>>;
    const aliases = (await copy('alias_accounts')) as Array<Record<string, any>>;
    if (holders.length === 0 || aliases.length === 0) return [];
    sizes.holders = storageSizes(holders, await source.collection('holders').indexes());
    sizes.aliases = storageSizes(aliases, await source.collection('alias_accounts').indexes());
    // Warm-up, as for the service: the reads and updates on small copies first (the inserts run a thousand times).
    const warmupHolders = holders.slice(0, WARMUP_SET.holders);
    const warmupAliases = aliases.slice(0, WARMUP_SET.aliases);
    const warmupH = floor.collection<Record<string, unknown>>('holders_warmup');
    const warmupAl = floor.collection<Record<string, unknown>>('aliases_warmup');
    await warmupH.insertMany(warmupHolders.map((holder) => ({ ...holder })));
    await warmupAl.insertMany(warmupAliases.map((alias) => ({ ...alias })));
    const warmupOps = floorOps(warmupH, warmupAl, warmupHolders, warmupAliases, organizationId, WARMUP_REQUESTS);
    for (const op of warmupOps.filter((candidate) => !candidate.name.startsWith('insertOne')))
      await measure(op.name, op.count, async (i) => (await op.fn(i), true), null, { quiet: true });

    const h = floor.collection<Record<string, unknown>>('holders');
    const al = floor.collection<Record<string, unknown>>('alias_accounts');
    const figures: RouteFigures[] = [];
    for (const op of floorOps(h, al, holders, aliases, organizationId, SIZES.requests))
      figures.push(await measure(`floor: ${op.name}`, op.count, async (i) => (await op.fn(i), true), selfCpuUs));
    return figures;
  } finally {
    await client
      .db(`${target.dbName}_floor`)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  }
}

function printTable(service: RouteFigures[], floor: RouteFigures[]): void {
  const rows = [...service, ...floor].map((figures) => {
    const original = ORIGINAL_CPU_US[figures.route];
    const ratio =
      original && figures.cpuUsPerRequest !== null ? `${(figures.cpuUsPerRequest / original).toFixed(2)}×` : '';
    return [
      figures.route,
      String(figures.requests),
      String(figures.reqPerSec),
      String(figures.p50Ms),
      String(figures.p99Ms),
      String(figures.cpuUsPerRequest ?? '-'),
      original ? String(original) : '',
      ratio,
      figures.errors ? String(figures.errors) : '',
    ];
  });
  const header = [
    'route',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'original µs',
    'vs original',
    'errors',
  ];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const out = [
    line(header),
    `|${widths.map((width, column) => (column === 0 ? ` ${'-'.repeat(width)} ` : ` ${'-'.repeat(width - 1)}: `)).join('|')}|`,
    ...rows.map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const target = await startTarget();
  // Ctrl-C or a kill must not leave the service and its database running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void target.stop().finally(() => process.exit(130)));
  }
  try {
    const { figures, organizationId } = await runService(target);
    log('bench: raw-driver floor');
    const floor = await runFloor(target, organizationId);
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      quick: QUICK,
      concurrency: CONCURRENCY,
      sizes: SIZES,
      cpuMethod:
        'service: utime+stime of the service process (/proc/<pid>/stat) / requests; floor: process.cpuUsage() of the bench process / operations',
      service: figures,
      floor,
      storage: sizes,
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      printTable(figures, floor);
      process.stdout.write(
        `\nstored sizes (per million records, estimated from the seeded documents):\n${JSON.stringify(sizes, null, 2)}\n`,
      );
    }
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `api-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    log(`bench: figures written to ${file}`);
  } finally {
    await target.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
