/**
 * API benchmark: `npm run bench:api [-- --quick] [--json] [--no-build] [--rates 20,50]`. Prints figures; asserts nothing.
 *
 * `--rates`: the open-loop mode (see RATES), on SecantusDB unless MONGO_URI is given.
 *
 * Builds and starts the compiled service (LOG_LEVEL=info, output to /dev/null) on its own FerretDB
 * (or targets CRM_URL, with CRM_PID for its CPU, and MONGO_URI for the floor), with a tiny fake Midaz
 * that knows every ledger and account. It seeds a data set through the API itself (the POST routes are
 * measured while seeding), then runs each route with 8 concurrent clients and reports req/s, p50/p99
 * latency and the service process's CPU time (the run time of all its threads, from
 * /proc/<pid>/task/<tid>/schedstat) divided by the requests. The raw-driver floor does the same writes
 * and reads with the MongoDB driver alone on a copy of the stored documents; its CPU is the bench
 * process's own (driver + load loop). The HTTP floors are bare servers doing the GET by id and the
 * search on those copies, their process measured like the service's: Node.js (bench/http-floor-server.ts)
 * and, where Go is installed, Go (bench/go-floor). With ORIGINAL_URL and ORIGINAL_PID naming a running
 * original (Lerian CRM v3.8.0), it then runs the same routes on it and prints the ratios beside.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
/**
 * `--rates 20,50`: the open-loop mode. Each measured route gets requests at a fixed offered rate (one every
 * 1/rate s, whether or not the previous ones were answered), for RATE_SECONDS after its warm-up, at each
 * rate in turn; latency counts from the moment a request was due, so a backlog shows in it. Without it,
 * the closed loop: CONCURRENCY clients, each sending its next request when its last is answered.
 */
const RATES = rates();
const RATE_SECONDS = QUICK ? 8 : 20;
/** The routes the fixed-rate mode measures: the ones the target ratios name. */
const RATE_ROUTES = new Set([
  'POST /v1/holders',
  'GET /v1/holders/{id}',
  'GET /v1/holders?document=',
  'GET /v1/holders?limit=10',
  'POST /v1/holders/{id}/aliases',
  'PATCH /v1/holders/{id}',
]);
/**
 * Fixed-rate routes measured on the warm-up organization (WARMUP_SET) rather than the seeded one: SecantusDB
 * sorts every match of the organization in memory for each page (a planner defect; MongoDB reads a page's 10
 * from {organizationId, _id} at any organization size), which with the seeded 1,000 holders held either
 * service below 10 pages/s, so the engine, not the service, set the pace.
 */
const SMALL_ORGANIZATION_ROUTES = new Set(['GET /v1/holders?limit=10']);
const JSON_OUT = ARGS.has('--json');
const CONCURRENCY = 8;
const SIZES = QUICK
  ? { holders: 300, aliases: 200, requests: 600, routeSeconds: 6 }
  : { holders: 1000, aliases: 600, requests: 2000, routeSeconds: 10 };
/**
 * Requests each read and patch route gets before it is measured, uncounted, on a small data set of its
 * own organization (WARMUP_SET), which FerretDB answers fast. V8 compiles a route's hot code during its
 * first few hundred requests (on worker threads that wake the process); measured cold, a route at
 * FerretDB's scan-bound pace of 6-13 req/s carried that compilation on its few dozen requests. The
 * original is compiled ahead of time. The floor's reads get the same warm-up.
 */
const WARMUP_REQUESTS = QUICK ? 150 : 300;
const WARMUP_SET = { holders: 20, aliases: 10 };
/** Seeding must complete: its time budget is a safety net only. */
const SEEDING_SECONDS = 600;
const ROOT = join(__dirname, '..');

/** The original (Lerian CRM v3.8.0, Go) on this machine class, same method: service CPU per request (µs). */
const ORIGINAL_CPU_US: Record<string, number> = {
  'POST /v1/holders': 2000,
  'GET /v1/holders/{id}': 1000,
  'GET /v1/holders?document=': 1800,
  'GET /v1/holders?limit=10': 4800,
};

const log = (line: string) => process.stderr.write(`${line}\n`);

function rates(): number[] | undefined {
  const at = process.argv.indexOf('--rates');
  if (at < 0) return undefined;
  const values = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (!values.length || values.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
    log('bench: --rates takes offered rates in requests per second, e.g. --rates 20,50');
    process.exit(2);
  }
  return values;
}

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
  /**
   * CPU per request, µs, of the service's process (of the HTTP floor server's for its rows, of the bench
   * process itself for the driver floor's); null when unknown.
   */
  cpuUsPerRequest: number | null;
}

// ---------------------------------------------------------------------------------------------------
// Measuring

/**
 * CPU time of a process, all its threads (GC included), in µs: the scheduler's nanosecond counters
 * (/proc/<pid>/task/<tid>/schedstat), not utime + stime, which /proc/<pid>/stat gives in 10 ms ticks: over
 * the 60–120 requests of a scan-bound route a tick is 0.1–0.2 ms a request.
 */
function processCpuUs(pid: number): number {
  let nanoseconds = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return nanoseconds / 1000;
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
  { quiet = false, seconds = SIZES.routeSeconds } = {},
): Promise<RouteFigures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
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
  const figures = figuresOf(route, latencies, errors, started, cpu, cpuBefore);
  if (!quiet)
    log(
      `  ${route.padEnd(44)} ${String(figures.requests).padStart(5)} req ${String(figures.reqPerSec).padStart(8)} req/s  cpu ${figures.cpuUsPerRequest ?? '-'} µs/req${errors ? `  ERRORS ${errors}` : ''}`,
    );
  return figures;
}

/** A measured route's figures, from its latencies (sorted here), errors, start time and CPU counter. */
function figuresOf(
  route: string,
  latencies: number[],
  errors: number,
  started: number,
  cpu: (() => number) | null,
  cpuBefore: number | undefined,
): RouteFigures {
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpuUs = cpu && cpuBefore !== undefined ? cpu() - cpuBefore : undefined;
  latencies.sort((a, b) => a - b);
  return {
    route,
    requests: latencies.length,
    errors,
    reqPerSec: round(latencies.length / elapsedSeconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuUsPerRequest: cpuUs === undefined ? null : Math.round(cpuUs / Math.max(1, latencies.length)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * The open loop: operation i is sent at start + i/rate s, not when an earlier one is answered; its latency
 * counts from that due time. Waits for every answer (a backlog shows in p99 and in the achieved rate).
 */
async function measureAtRate(
  route: string,
  rate: number,
  operation: (index: number) => Promise<boolean>,
  cpu: (() => number) | null,
): Promise<RouteFigures> {
  const count = Math.round(rate * RATE_SECONDS);
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpu?.();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const due = started + (index * 1000) / rate;
    await sleep(due - performance.now());
    pending.push(
      operation(index)
        .catch((error: Error) => {
          if (errors === 0) log(`  ${route}: ${error.message}`);
          return false;
        })
        .then((ok) => {
          latencies.push(performance.now() - due);
          if (!ok) errors++;
        }),
    );
  }
  await Promise.all(pending);
  const figures = figuresOf(`${route} @ ${rate}/s`, latencies, errors, started, cpu, cpuBefore);
  log(
    `  ${figures.route.padEnd(44)} ${String(figures.requests).padStart(5)} req ${String(figures.reqPerSec).padStart(8)} req/s  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms  cpu ${figures.cpuUsPerRequest ?? '-'} µs/req${errors ? `  ERRORS ${errors}` : ''}`,
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
    // The fixed-rate mode compares on an engine with real indexes; the closed loop's older figures are FerretDB's.
    process.env.CRM_EMBEDDED_DB ??= RATES ? 'secantusdb' : 'ferretdb';
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
    // AUDIT_MODE=best-effort measures what storing each audit event before its answer costs.
    ...(process.env.AUDIT_MODE ? { AUDIT_MODE: process.env.AUDIT_MODE } : {}),
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
    // The open loop keeps sending while answers are late: enough connections that the client never queues.
    this.pool = new Pool(url, { connections: RATES ? 64 : CONCURRENCY, pipelining: 1 });
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
      throw Object.assign(new Error(`${method} ${path.split('?')[0]}: ${response.statusCode} ${text.slice(0, 200)}`), {
        status: response.statusCode,
      });
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
  /** The time budget, when not SIZES.routeSeconds (seeding must complete). */
  seconds?: number;
  /** A seeding route: later routes need its records, so it must succeed on every service. */
  seeds?: boolean;
}

/** Runs one route's requests; `measured: false` for the warm-up (no figures, no log line). */
type RouteRunner = (client: Client, spec: RouteSpec, measured: boolean) => Promise<void>;

/** A warm-up that failed leaves later routes without their data: the run would not mean what it says. */
function assertWarm(name: string, figures: RouteFigures): void {
  if (figures.errors > 0) throw new Error(`warm-up of ${name}: ${figures.errors} of ${figures.requests} failed`);
}

/**
 * A service's warm-up of one route, checked as assertWarm does but for one exception: the warm-up's few
 * records get concurrent patches, and a service may refuse a patch that raced another of the same record
 * with a 409 (this one does, CRM-0046). That writes nothing and leaves the data as it was, so it is said
 * and the run goes on. A seeding route must still succeed on every request.
 */
function assertWarmRoute(spec: RouteSpec, figures: RouteFigures, statuses: Set<number | undefined>): void {
  const raced =
    !spec.seeds &&
    figures.errors > 0 &&
    figures.errors < figures.requests &&
    [...statuses].every((status) => status === 409);
  if (!raced) return assertWarm(spec.name, figures);
  log(
    `  ${spec.name}: ${figures.errors} of ${figures.requests} warm-up requests raced a patch of the same record (409)`,
  );
}

/** What a compared service answers to a route it does not serve (the original's 400 to a cursor). */
const REFUSALS = new Set([400, 404, 405]);

/**
 * Whether a read or patch route's warm-up shows that a compared service does not serve it (every request
 * refused with a 400, 404 or 405): it is left out of that service's run, with a line. Any other failure
 * (a 500, a timeout) still stops the run.
 */
function unserved(name: string, figures: RouteFigures, statuses: Set<number | undefined>, compared: boolean): boolean {
  if (!compared || figures.errors === 0 || figures.errors < figures.requests) return false;
  if (![...statuses].every((status) => status !== undefined && REFUSALS.has(status))) return false;
  log(`  ${name}: not served by the compared service (its warm-up was refused on every request); left out`);
  return true;
}

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
  await run(
    client,
    {
      name: 'POST /v1/holders',
      count: counts.holders,
      seconds: SEEDING_SECONDS,
      seeds: true,
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
      seconds: SEEDING_SECONDS,
      seeds: true,
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

/**
 * Before a compared service's warm-up, one holder written alone in an organization of its own, retried on a
 * 5xx. The original is started before the bench and sits idle through this service's whole run; after that
 * wait (about ten minutes in a full fixed-rate run) it answered one of its next writes with a 500 and
 * nothing in its log, in two runs of two, never when started fresh. Not measured; each failure is said.
 */
async function wakeUp(target: Target): Promise<void> {
  const client = new Client(target.url, randomUUID());
  try {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const call: Call = { method: 'POST', path: '/v1/holders', body: holderBody(attempt) };
      const failure = await client.call(call, 201).then(
        () => undefined,
        (error: Error & { status?: number }) => error,
      );
      if (!failure) return;
      log(`bench: wake-up write ${attempt} of 3 to the compared service failed: ${failure.message}`);
      if (!failure.status || failure.status < 500) throw failure;
    }
    throw new Error('the compared service failed 3 wake-up writes in a row');
  } finally {
    await client.close();
  }
}

/**
 * Seeds the target and measures every route on it. `compared`: the target is the service this one is
 * compared with (the original), whose read and patch routes it does not serve are left out.
 */
async function runService(
  target: Target,
  compared = false,
): Promise<{ figures: RouteFigures[]; organizationId: string }> {
  const organizationId = randomUUID();
  const client = new Client(target.url, organizationId);
  const warmupClient = new Client(target.url, randomUUID());
  const cpu = target.pid ? () => processCpuUs(target.pid!) : null;
  const figures: RouteFigures[] = [];
  const leftOut = new Set<string>();
  const run: RouteRunner = async (on, spec, measured) => {
    if (leftOut.has(spec.name)) return;
    const failedStatuses = new Set<number | undefined>();
    const result = await measure(
      spec.name,
      spec.count,
      async (i) => {
        const { json } = await on.call(spec.call(i), spec.expected).catch((error: Error & { status?: number }) => {
          failedStatuses.add(error.status);
          throw error;
        });
        spec.keep?.(i, json);
        return true;
      },
      measured ? cpu : null,
      { quiet: !measured, seconds: spec.seconds },
    );
    if (measured) figures.push(result);
    else if (!spec.seeds && unserved(spec.name, result, failedStatuses, compared)) leftOut.add(spec.name);
    else assertWarmRoute(spec, result, failedStatuses);
  };

  if (compared) await wakeUp(target);
  log(
    `bench: warm-up (${WARMUP_SET.holders} holders, ${WARMUP_SET.aliases} aliases, ${WARMUP_REQUESTS} requests per route; not measured)`,
  );
  const warmupSet = await seed(warmupClient, run, WARMUP_SET, false);
  for (const spec of readAndPatchRoutes(warmupSet, WARMUP_REQUESTS)) await run(warmupClient, spec, false);

  log(`bench: seeding ${SIZES.holders} holders and ${SIZES.aliases} aliases through the API (measured)`);
  const seeded = await seed(client, run, SIZES, !RATES);
  if (RATES) {
    await runAtRates({ seeded: client, small: warmupClient }, seeded, cpu, figures, leftOut);
    await Promise.all([client.close(), warmupClient.close()]);
    return { figures, organizationId };
  }
  log('bench: routes');
  for (const spec of [...readAndPatchRoutes(seeded, SIZES.requests), ...deletionRoutes(seeded, SIZES.requests)])
    await run(client, spec, true);
  await Promise.all([client.close(), warmupClient.close()]);
  return { figures, organizationId };
}

/**
 * The fixed-rate mode's routes, each at every rate in turn: a POST creates new records (numbered past the
 * seeded ones, a new block per rate), a GET or PATCH goes over the seeded ones. Routes the compared
 * service does not serve (left out in its warm-up) are left out here too.
 */
async function runAtRates(
  clients: { seeded: Client; small: Client },
  seeded: Seeded,
  cpu: (() => number) | null,
  figures: RouteFigures[],
  leftOut: Set<string>,
): Promise<void> {
  const ledgerId = randomUUID();
  let fresh = SIZES.holders + WARMUP_SET.holders;
  const creations: RouteSpec[] = [
    {
      name: 'POST /v1/holders',
      count: 0,
      call: (i) => ({ method: 'POST', path: '/v1/holders', body: holderBody(fresh + i) }),
      expected: 201,
    },
    {
      name: 'POST /v1/holders/{id}/aliases',
      count: 0,
      call: (i) => ({
        method: 'POST',
        path: `/v1/holders/${pick(seeded.holders, i).id}/aliases`,
        body: aliasBody(fresh + i, ledgerId),
      }),
      expected: 201,
    },
  ];
  const specs = [...creations, ...readAndPatchRoutes(seeded, 0)].filter(
    (spec) => RATE_ROUTES.has(spec.name) && !leftOut.has(spec.name),
  );
  log(`bench: fixed rates ${RATES!.join(', ')} req/s, ${RATE_SECONDS} s each`);
  for (const spec of specs) {
    const client = SMALL_ORGANIZATION_ROUTES.has(spec.name) ? clients.small : clients.seeded;
    for (const rate of RATES!) {
      figures.push(
        await measureAtRate(spec.name, rate, async (i) => (await client.call(spec.call(i), spec.expected)).ok, cpu),
      );
      fresh += Math.round(rate * RATE_SECONDS);
    }
  }
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

interface FloorOp {
  name: string;
  count: number;
  /** An insert: its own collection, and no warm-up (it runs a thousand times). */
  insert: boolean;
  fn: (i: number) => Promise<unknown>;
}

type RawCollection = ReturnType<Db['collection']>;

interface FloorCollections {
  holders: RawCollection;
  aliases: RawCollection;
}

/**
 * The driver-only twins of the service's writes and reads: inserts into `into`, reads and updates on
 * `stored`, which holds copies of `holders` and `aliases` (so that they find what the service's do).
 */
function floorOps(
  into: FloorCollections,
  stored: FloorCollections,
  holders: Array<Record<string, any>>,
  aliases: Array<Record<string, any>>,
  organizationId: string,
  requests: number,
): FloorOp[] {
  const live = { deletedAt: null };
  const token = () => randomBytes(32).toString('base64url');
  /** A read or update of the stored copies. */
  const onCopies = (name: string, count: number, fn: (i: number) => Promise<unknown>): FloorOp => ({
    name,
    count,
    insert: false,
    fn,
  });
  return [
    {
      name: 'insertOne holder',
      count: holders.length,
      insert: true,
      fn: (i) =>
        into.holders.insertOne({
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
      insert: true,
      fn: (i) =>
        into.aliases.insertOne({
          ...aliases[i],
          _id: randomUUID() as never,
          accountId: randomUUID(),
          createdAt: new Date(),
          updatedAt: new Date(),
          deletedAt: null,
        }),
    },
    // The service's shape: the _id alone, organization and liveness checked on the record (ScopedStore.findById).
    onCopies('findOne holder by id', requests, (i) => stored.holders.findOne({ _id: pick(holders, i)._id })),
    onCopies('find holders by document token', requests, (i) =>
      stored.holders
        .find({ organizationId, 'search.document': [pick(holders, i).search.document].flat()[0], ...live })
        .sort({ _id: 1 })
        .limit(10)
        .toArray(),
    ),
    onCopies('find holders limit 10', requests, () =>
      stored.holders
        .find({ organizationId, ...live })
        .sort({ _id: 1 })
        .limit(10)
        .toArray(),
    ),
    onCopies('updateOne holder $set', requests, (i) =>
      stored.holders.updateOne(
        { _id: pick(holders, i)._id, organizationId, ...live },
        { $set: { 'contact.secondaryEmail': pick(holders, i).name, updatedAt: new Date() } },
      ),
    ),
    onCopies('updateOne alias soft delete', Math.min(requests, aliases.length), (i) =>
      stored.aliases.updateOne({ _id: aliases[i]._id, organizationId, ...live }, { $set: { deletedAt: new Date() } }),
    ),
  ];
}

/** The same writes and reads with the driver alone, on copies of the documents the service stored. */
async function runFloor(target: Target, organizationId: string): Promise<RouteFigures[]> {
  if (!target.mongoUri || !target.dbName) {
    log('bench: no MONGO_URI/MONGO_NAME for the floor: skipped');
    return [];
  }
  const client = await new mongoose.mongo.MongoClient(target.mongoUri, { maxPoolSize: CONCURRENCY * 2 }).connect();
  try {
    const source: Db = client.db(target.dbName);
    const floor: Db = client.db(`${target.dbName}_floor`);
    const holders = (await source.collection('holders').find({ organizationId }).toArray()) as Array<
      Record<string, any>
    >;
    const aliases = (await source.collection('alias_accounts').find({ organizationId }).toArray()) as Array<
      Record<string, any>
    >;
    if (holders.length === 0 || aliases.length === 0) return [];
    sizes.holders = storageSizes(holders, await source.collection('holders').indexes());
    sizes.aliases = storageSizes(aliases, await source.collection('alias_accounts').indexes());
    /** A pair of collections with the service's indexes, holding copies of the given records. */
    const collections = async (suffix: string, copies: { holders: object[]; aliases: object[] }) => {
      const pair: FloorCollections = {
        holders: floor.collection(`holders${suffix}`),
        aliases: floor.collection(`alias_accounts${suffix}`),
      };
      for (const [name, collection, records] of [
        ['holders', pair.holders, copies.holders],
        ['alias_accounts', pair.aliases, copies.aliases],
      ] as const) {
        const indexes = (await source.collection(name).indexes()).filter((index) => index.name !== '_id_');
        await collection.createIndexes(
          indexes.map(({ key, name: indexName, unique }) => ({
            key,
            name: indexName,
            ...(unique ? { unique: true } : {}),
          })),
        );
        if (records.length > 0) await collection.insertMany(records.map((record) => ({ ...record })));
      }
      return pair;
    };
    const run = (op: FloorOp, measured: boolean) =>
      measure(`floor: ${op.name}`, op.count, async (i) => (await op.fn(i), true), measured ? selfCpuUs : null, {
        quiet: !measured,
      });

    // Warm-up, as for the service: the reads and updates on small copies first.
    const warmupHolders = holders.slice(0, WARMUP_SET.holders);
    const warmupAliases = aliases.slice(0, WARMUP_SET.aliases);
    const warmup = await collections('_warmup', { holders: warmupHolders, aliases: warmupAliases });
    for (const op of floorOps(warmup, warmup, warmupHolders, warmupAliases, organizationId, WARMUP_REQUESTS))
      if (!op.insert) assertWarm(op.name, await run(op, false));

    const stored = await collections('', { holders, aliases });
    const inserted = await collections('_inserted', { holders: [], aliases: [] });
    const figures: RouteFigures[] = [];
    for (const op of floorOps(inserted, stored, holders, aliases, organizationId, SIZES.requests))
      figures.push(await run(op, true));
    const httpFloor = { mongoUri: target.mongoUri, dbName: floor.databaseName, organizationId };
    for (const server of httpFloorServers())
      figures.push(...(await runHttpFloor(server, httpFloor, { warmup: warmupHolders, measured: holders })));
    return figures;
  } finally {
    await client
      .db(`${target.dbName}_floor`)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  }
}

/** A bare HTTP server answering the HTTP floor's two routes: its rows' label, and how to start it. */
interface HttpFloorServer {
  label: string;
  command: string;
  args: string[];
}

/**
 * The HTTP floor's servers: Node.js (bench/http-floor-server.ts, the service's runtime and driver) and,
 * where Go is installed, Go (bench/go-floor, the original's language, with the official Go driver), built
 * here first (Go caches the build).
 */
function httpFloorServers(): HttpFloorServer[] {
  const node = {
    label: 'node',
    command: process.execPath,
    args: [...process.execArgv, join(__dirname, 'http-floor-server.ts')],
  };
  const goBinary = join(ROOT, 'dist', 'bench-go-floor');
  const build = spawnSync('go', ['build', '-o', goBinary, '.'], {
    cwd: join(__dirname, 'go-floor'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (build.status === 0) return [node, { label: 'Go', command: goBinary, args: [] }];
  log(`bench: no Go HTTP floor (go build: ${build.error?.message ?? build.stderr.toString().trim()})`);
  return [node];
}

/**
 * The HTTP floor: a bare HTTP server with a MongoDB driver, in a process of its own whose CPU is measured
 * like the service's, reading the holder copies (warmed up the same way). What it costs at the pace the
 * database allows is what any service in its runtime pays before its own work.
 */
async function runHttpFloor(
  floorServer: HttpFloorServer,
  { mongoUri, dbName, organizationId }: { mongoUri: string; dbName: string; organizationId: string },
  holders: { warmup: Array<Record<string, any>>; measured: Array<Record<string, any>> },
): Promise<RouteFigures[]> {
  const port = await freePort();
  // Its standard input is a pipe from here: the server exits when the bench does, however it ends.
  const server = spawn(floorServer.command, floorServer.args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      MONGO_URI: mongoUri,
      MONGO_NAME: dbName,
      PORT: String(port),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // 'exit' may not follow a failed spawn's 'error'.
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => resolve());
    server.once('error', () => resolve());
  });
  try {
    await serverReady(server);
    const client = new Client(`http://127.0.0.1:${port}`, organizationId);
    const get = async (path: string) => (await client.call({ method: 'GET', path }, 200)).ok;
    const documentTokenOf = (holder: Record<string, any>) => encodeURIComponent([holder.search.document].flat()[0]);
    const routes = (collection: string, records: Array<Record<string, any>>) => [
      {
        name: `floor: ${floorServer.label} HTTP, findOne holder by id`,
        fn: (i: number) => get(`/${collection}/${pick(records, i)._id}`),
      },
      {
        name: `floor: ${floorServer.label} HTTP, find holders by document token`,
        fn: (i: number) =>
          get(`/${collection}?organization=${organizationId}&document_token=${documentTokenOf(pick(records, i))}`),
      },
    ];
    try {
      for (const route of routes('holders_warmup', holders.warmup))
        assertWarm(route.name, await measure(route.name, WARMUP_REQUESTS, route.fn, null, { quiet: true }));
      const cpu = () => processCpuUs(server.pid!);
      const figures: RouteFigures[] = [];
      for (const route of routes('holders', holders.measured))
        figures.push(await measure(route.name, SIZES.requests, route.fn, cpu));
      return figures;
    } finally {
      await client.close();
    }
  } finally {
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

/** Resolves once the HTTP floor server prints "ready"; rejects if it fails to start or takes over 60 s. */
function serverReady(server: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the HTTP floor server was not ready within 60 s')), 60_000);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready\n')) settle();
    });
    server.once('error', settle);
    server.once('exit', (code, signal) =>
      settle(new Error(`the HTTP floor server exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
  });
}

const ratio = (cpuUs: number | null, reference: number | null | undefined) =>
  reference && cpuUs !== null ? `${(cpuUs / reference).toFixed(2)}×` : '';

/**
 * The table: each route's figures, the original's CPU per request from the issue and, when it was run
 * beside this service (ORIGINAL_URL), its own figures of this run: req/s and CPU per request.
 */
function printTable(service: RouteFigures[], floor: RouteFigures[], original?: RouteFigures[]): void {
  const originalRun = new Map(original?.map((figures) => [figures.route, figures]));
  const rows = [...service, ...floor].map((figures) => {
    const issue = ORIGINAL_CPU_US[figures.route];
    const beside = service.includes(figures) ? originalRun.get(figures.route) : undefined;
    return [
      figures.route,
      String(figures.requests),
      String(figures.reqPerSec),
      String(figures.p50Ms),
      String(figures.p99Ms),
      String(figures.cpuUsPerRequest ?? '-'),
      issue ? String(issue) : '',
      ratio(figures.cpuUsPerRequest, issue),
      ...(original
        ? [
            beside ? String(beside.reqPerSec) : '',
            beside ? String(beside.cpuUsPerRequest ?? '-') : '',
            // A ratio against a run with errors would compare different work.
            beside?.errors ? '' : ratio(figures.cpuUsPerRequest, beside?.cpuUsPerRequest),
          ]
        : []),
      figures.errors ? String(figures.errors) : '',
      ...(original ? [beside?.errors ? String(beside.errors) : ''] : []),
    ];
  });
  const header = [
    'route',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'issue: original µs',
    'vs issue',
    ...(original ? ['original here: req/s', 'original here: CPU µs/req', 'vs original here'] : []),
    'errors',
    ...(original ? ['original here: errors'] : []),
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

/** The fixed-rate mode's headline: CPU per request, this service over the original, per route and rate. */
function printRatios(service: RouteFigures[], original: RouteFigures[]): void {
  const originalRun = new Map(original.map((figures) => [figures.route, figures]));
  const out = ['\nours / original, CPU per request, same run, same offered rate:'];
  for (const figures of service) {
    const beside = originalRun.get(figures.route);
    const cpu =
      beside && !beside.errors && !figures.errors ? ratio(figures.cpuUsPerRequest, beside.cpuUsPerRequest) : '';
    const p50 = beside ? `${(figures.p50Ms / beside.p50Ms).toFixed(2)}×` : '';
    out.push(`  ${figures.route.padEnd(44)} CPU ${cpu || '-'}   p50 ${p50 || '-'}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * The original to run beside this service, when ORIGINAL_URL names it (ORIGINAL_PID: its process, for its
 * CPU): it gets the same routes, data set, warm-up and clients, on its own database. Read before anything
 * runs, so a missing pid stops the bench at once. How to build and start it is in docs/performance.md;
 * nothing of it is in this repository.
 */
function originalTarget(): Target | undefined {
  const url = process.env.ORIGINAL_URL;
  if (!url) return undefined;
  const pid = Number(process.env.ORIGINAL_PID);
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}`))
    throw new Error('ORIGINAL_URL needs ORIGINAL_PID, the id of its running process');
  return { url, pid, stop: () => Promise.resolve() };
}

async function main(): Promise<void> {
  const original = originalTarget();
  const target = await startTarget();
  // Ctrl-C or a kill must not leave the service and its database running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void target.stop().finally(() => process.exit(130)));
  }
  try {
    const { figures, organizationId } = await runService(target);
    const floor = RATES ? [] : (log('bench: raw-driver floor'), await runFloor(target, organizationId));
    if (original) log(`bench: the original at ${original.url} (pid ${original.pid})`);
    const originalFigures = original && (await runService(original, true)).figures;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      quick: QUICK,
      rates: RATES ?? null,
      concurrency: CONCURRENCY,
      sizes: SIZES,
      cpuMethod:
        'service and HTTP floors: CPU time of their process, all threads (/proc/<pid>/task/*/schedstat) / requests; driver floor: process.cpuUsage() of the bench process / operations',
      service: figures,
      floor,
      original: originalFigures ?? null,
      storage: sizes,
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      printTable(figures, floor, originalFigures);
      if (RATES && originalFigures) printRatios(figures, originalFigures);
      if (!RATES)
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
