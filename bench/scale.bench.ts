/**
 * Scale benchmark: `npm run bench:scale [-- --up-to 100000] [--requests 300] [--route-seconds 20] [--min-requests 20]
 * [--json]`. Prints figures;
 * asserts nothing but that each lookup finds its record.
 *
 * For each level (10k, 100k, 1M holders, each with one alias, in one organization: the per-organization
 * indexes at their largest) it seeds a database of its own through the persistence layer's bulk path
 * (test/utils/scale-seed.ts: records validated and sealed as created ones are; no HTTP, no service checks,
 * no audit), then measures, one request at a time over HTTP on the real application, p50/p99 of: GET a
 * holder by id, search holders by document, aliases by IBAN, by related-party document, by account id.
 * Then the disk size (data + indexes, from collStats) per million holders and aliases.
 *
 * The engine is SecantusDB with its data in .data/bench-scale/ (kept: a later run reuses every level
 * already seeded, and resumes one that was interrupted), or the server at MONGO_URI. The keys and the
 * organization are kept beside the data, so a resumed level seals with the same keys.
 * Ctrl-C stops at the next batch or request and prints what was measured.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo, EmbeddedMongo } from '../scripts/embedded-mongo';
import { randomKey } from '../test/factories/keys';
import { scaleRecord, seedScale } from '../test/utils/scale-seed';
import { startTestApp, TestApp } from '../test/utils/test-app';

const DATA_DIR = join(__dirname, '..', '.data', 'bench-scale');
const LEVELS = [10_000, 100_000, 1_000_000];
const WARMUP_REQUESTS = 30;

const log = (line: string) => process.stderr.write(`${line}\n`);

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    log(`bench:scale: --${name} takes a positive whole number`);
    process.exit(2);
  }
  return value;
}

const UP_TO = option('up-to', 1_000_000);
const REQUESTS = option('requests', 300);
/** A route's time budget per level: a route that answers slowly gets fewer requests (at least MIN_REQUESTS). */
const ROUTE_SECONDS = option('route-seconds', 20);
const MIN_REQUESTS = option('min-requests', 20);
const JSON_OUT = process.argv.includes('--json');

let stopRequested = false;
process.on('SIGINT', () => {
  if (stopRequested) process.exit(130); // a second Ctrl-C: now
  stopRequested = true;
  log('\nbench:scale: stopping after the current batch or request (Ctrl-C again to quit at once)');
});

interface State {
  organizationId: string;
  keys: { LCRYPTO_ENCRYPT_SECRET_KEY: string; LCRYPTO_HASH_SECRET_KEY: string };
}

/** The organization and keys of the kept data set: created once, reused by every later run. */
function loadState(): State {
  const file = join(DATA_DIR, 'state.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as State;
  mkdirSync(DATA_DIR, { recursive: true });
  const state: State = {
    organizationId: randomUUID(),
    keys: { LCRYPTO_ENCRYPT_SECRET_KEY: randomKey(), LCRYPTO_HASH_SECRET_KEY: randomKey() },
  };
  writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
  return state;
}

const label = (level: number) => (level >= 1_000_000 ? `${level / 1_000_000}M` : `${level / 1000}k`);
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

interface RouteFigures {
  route: string;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

interface LevelFigures {
  level: number;
  seedSeconds: number;
  routes: RouteFigures[];
  /** Bytes: data (uncompressed BSON as the engine reports it) and indexes, holders and aliases together. */
  dataBytes: number;
  indexBytes: number;
}

/** Seeds `level` holders and aliases (what is missing of them), with a progress line every 5 s. */
async function seed(crm: TestApp, organizationId: string, level: number): Promise<number> {
  const started = performance.now();
  // The rate since the previous line, not since the start: an engine that slows down shows it at once.
  let last = { at: started, done: 0 };
  const written = await seedScale(crm.app, {
    organizations: [organizationId],
    perOrganization: level,
    batchSize: 1000,
    stopRequested: () => stopRequested,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - last.at < 5000 && done < total) return;
      const rate = (done - last.done) / ((now - last.at) / 1000);
      last = { at: now, done };
      log(
        `bench:scale: seeding ${label(level)}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} records` +
          ` (${Math.round(rate)}/s, ${seconds(((total - done) / rate) * 1000)} left)`,
      );
    },
  });
  log(
    written
      ? `bench:scale: seeded ${label(level)}: ${written.toLocaleString('en')} records in ${seconds(performance.now() - started)}`
      : `bench:scale: ${label(level)} already seeded: reused`,
  );
  return (performance.now() - started) / 1000;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** The routes measured, each as a request for record n and the check that it found that record. */
function routes(organizationId: string) {
  const found = (body: { items?: unknown[] }) => body.items?.length === 1;
  return [
    {
      route: 'GET /v1/holders/{id}',
      path: (n: number) => `/v1/holders/${scaleRecord(organizationId, n).holderId}`,
      ok: (body: { id?: string }, n: number) => body.id === scaleRecord(organizationId, n).holderId,
    },
    {
      route: 'GET /v1/holders?document=',
      path: (n: number) => `/v1/holders?document=${scaleRecord(organizationId, n).document}`,
      ok: found,
    },
    {
      route: 'GET /v1/aliases?banking_details_iban=',
      path: (n: number) => `/v1/aliases?banking_details_iban=${scaleRecord(organizationId, n).iban}`,
      ok: found,
    },
    {
      route: 'GET /v1/aliases?related_party_document=',
      path: (n: number) => `/v1/aliases?related_party_document=${scaleRecord(organizationId, n).relatedPartyDocument}`,
      ok: found,
    },
    {
      route: 'GET /v1/aliases?account_id=',
      path: (n: number) => `/v1/aliases?account_id=${scaleRecord(organizationId, n).accountId}`,
      ok: found,
    },
  ];
}

/** One client, one request at a time, each for a random record of the level: latency, not throughput. */
async function measure(crm: TestApp, organizationId: string, level: number): Promise<RouteFigures[]> {
  const headers = { 'x-organization-id': organizationId };
  const figures: RouteFigures[] = [];
  for (const { route, path, ok } of routes(organizationId)) {
    const latencies: number[] = [];
    let errors = 0;
    const request = async () => {
      const n = Math.floor(Math.random() * level);
      const started = performance.now();
      const response = await crm.request(path(n), { headers });
      if (response.status !== 200 || !ok(response.body, n)) errors++;
      return performance.now() - started;
    };
    const warmUntil = performance.now() + 5000; // uncounted: V8 compiles the route's code meanwhile
    for (let i = 0; i < WARMUP_REQUESTS && performance.now() < warmUntil && !stopRequested; i++) await request();
    errors = 0;
    const deadline = performance.now() + ROUTE_SECONDS * 1000;
    while (
      latencies.length < REQUESTS &&
      !stopRequested &&
      !(latencies.length >= MIN_REQUESTS && performance.now() > deadline)
    )
      latencies.push(await request());
    if (!latencies.length) break;
    const counted = latencies.length;
    latencies.sort((a, b) => a - b);
    figures.push({
      route,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      requests: counted,
      errors,
    });
    log(`bench:scale: ${label(level)} ${route}: p50 ${percentile(latencies, 0.5).toFixed(2)} ms (${counted} requests)`);
  }
  return figures;
}

async function diskSize(crm: TestApp): Promise<{ dataBytes: number; indexBytes: number }> {
  const db = crm.app.get<Connection>(getConnectionToken()).db!;
  let dataBytes = 0;
  let indexBytes = 0;
  for (const collection of ['holders', 'alias_accounts']) {
    const stats = await db.command({ collStats: collection });
    dataBytes += Number(stats.storageSize ?? stats.size);
    indexBytes += Number(stats.totalIndexSize);
  }
  return { dataBytes, indexBytes };
}

function report(figures: LevelFigures[], engine: string): void {
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify({ engine, requests: REQUESTS, levels: figures }, null, 2)}\n`);
    return;
  }
  if (!figures.length) {
    process.stdout.write('bench:scale: nothing measured\n');
    return;
  }
  const first = figures[0];
  const last = figures[figures.length - 1];
  const out: string[] = [
    `\nbench:scale on ${engine}: up to ${REQUESTS} requests (or ${ROUTE_SECONDS} s) per route and level, one at a time\n`,
  ];
  out.push(
    `| route | ${figures.map((f) => `${label(f.level)} p50 / p99 ms`).join(' | ')} | p50 ${label(last.level)} / ${label(first.level)} |`,
  );
  out.push(`| --- | ${figures.map(() => '---').join(' | ')} | --- |`);
  for (const { route } of first.routes) {
    const at = (f: LevelFigures) => f.routes.find((r) => r.route === route);
    const cells = figures.map((f) => {
      const r = at(f);
      return r
        ? `${r.p50Ms.toFixed(2)} / ${r.p99Ms.toFixed(2)} (n=${r.requests}${r.errors ? `, ${r.errors} errors` : ''})`
        : '—';
    });
    const growth = at(last) && at(first) ? `${(at(last)!.p50Ms / at(first)!.p50Ms).toFixed(2)}×` : '—';
    out.push(`| ${route} | ${cells.join(' | ')} | ${growth} |`);
  }
  out.push('\n| level | seeding (s) | data MB | indexes MB | data + indexes per million holders and aliases |');
  out.push('| --- | --- | --- | --- | --- |');
  for (const f of figures) {
    const perMillion = ((f.dataBytes + f.indexBytes) / f.level) * 1_000_000;
    out.push(
      `| ${label(f.level)} | ${Math.round(f.seedSeconds)} | ${(f.dataBytes / 2 ** 20).toFixed(1)} | ${(f.indexBytes / 2 ** 20).toFixed(1)} | ${(perMillion / 2 ** 30).toFixed(2)} GiB |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const state = loadState();
  let embedded: EmbeddedMongo | undefined;
  let uri = process.env.MONGO_URI;
  if (!uri) {
    process.env.CRM_EMBEDDED_DB = 'secantusdb';
    embedded = await startEmbeddedMongo({ dataDir: DATA_DIR });
    uri = embedded.uri;
  }
  const engine = embedded ? `SecantusDB (data in ${DATA_DIR})` : 'the server at MONGO_URI';
  const figures: LevelFigures[] = [];
  try {
    for (const level of LEVELS.filter((candidate) => candidate <= UP_TO)) {
      if (stopRequested) break;
      const crm = await startTestApp({
        MONGO_URI: uri,
        MONGO_NAME: `crm_scale_${label(level).toLowerCase()}`,
        LOG_LEVEL: 'silent',
        ...state.keys,
      });
      try {
        const seedSeconds = await seed(crm, state.organizationId, level);
        if (stopRequested) break;
        const routes = await measure(crm, state.organizationId, level);
        if (stopRequested && routes.length < 5) break;
        figures.push({ level, seedSeconds, routes, ...(await diskSize(crm)) });
      } finally {
        await crm.close({ keepDatabase: true });
      }
    }
  } finally {
    if (stopRequested) log('bench:scale: stopped; the levels measured so far:');
    report(figures, engine);
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  log(`bench:scale: ${(error as Error).message}`);
  process.exit(1);
});
