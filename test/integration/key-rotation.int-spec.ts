import { NestFactory } from '@nestjs/core';
import { EJSON } from 'bson';
import mongoose, { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/config';
import { KeyRotationService } from '@crm/crypto';
import { BlindIndex } from '../../libs/crypto/src/blind-index';
import { FieldCipher } from '../../libs/crypto/src/field-cipher';
import { FieldProtector, plainAccess } from '../../libs/crypto/src/field-protector';
import { fingerprint, Keyring } from '../../libs/crypto/src/keyring';
import { HOLDER_PROTECTED_FIELDS } from '../../apps/crm/src/holder/holder.schema';
import { v7 as uuidv7 } from 'uuid';
import { CliModule } from '../../apps/crm/src/cli/cli.module';
import { renderRotation } from '../../apps/crm/src/cli/keys/keys-report';
import { KeysCommandModule } from '../../apps/crm/src/cli/keys/keys.module';
import { orgClient, OrgClient } from '../utils/api';
import { runCli, startCli, startCliOnTerminal } from '../utils/cli';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { FakeMidaz } from '../utils/fake-midaz';
import { keyMaterialOf, testKeys } from '../factories/keys';
import { startTestApp, testEnv } from '../utils/test-app';
import { waitUntil } from '../utils/eventually';
import { relatedParty } from '../factories/aliases';
import { cnpj, cpf } from '../factories/documents';
import { legalPerson, naturalPerson } from '../factories/holders';

type Env = Record<string, string | undefined>;
type Json = Record<string, any>;

const PROTECTED = ['holders', 'alias_accounts'];
const keyId = (hex: string | undefined) => fingerprint(Buffer.from(hex!, 'hex'));

/** Envelope key ids found anywhere in the protected collections, with how many values use each. */
async function envelopeKeyIds(connection: Connection): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of PROTECTED) {
    const text = EJSON.stringify(await connection.db!.collection(name).find({}).toArray());
    for (const [, id] of text.matchAll(/"v1:([0-9a-f]{8}):/g)) counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

/** `keys status --json`, parsed; a failed run shows its stderr. */
async function statusJson(env: Env): Promise<Json> {
  const status = await runCli(env, ['keys', 'status', '--json']);
  expect({
    code: status.code,
    stderr: status.stderr
      .split('\n')
      .filter((line) => !line.startsWith('keys status '))
      .join('\n'),
  }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(status.stdout);
}

/** How many protected records hold a value under the given encryption key. */
async function recordsUnder(connection: Connection, id: string): Promise<number> {
  let count = 0;
  for (const name of PROTECTED)
    for (const record of await connection.db!.collection(name).find({}).toArray())
      if (EJSON.stringify(record).includes(`"v1:${id}:`)) count += 1;
  return count;
}

/** The lease a running `keys rotate` holds, as stored (one document). */
const LEASES = 'key_rotation_leases';
const LEASE_ID = 'keys-rotate';
const leases = (connection: Connection) => connection.db!.collection<Json & { _id: string }>(LEASES);

/** Every stored byte of the collections a rotation may touch. */
async function rawState(connection: Connection): Promise<string> {
  const names = [...PROTECTED, 'crypto_canary', 'key_rotation_checkpoints'];
  return EJSON.stringify(
    await Promise.all(names.map((name) => connection.db!.collection(name).find({}).sort({ _id: 1 }).toArray())),
  );
}

describe('keys CLI: rotation, status, verify', () => {
  const midaz = new FakeMidaz();
  const connections: Connection[] = [];

  /** What a test started: closed after it even when an assertion failed (jest would otherwise wait on it). */
  const opened: Array<() => Promise<unknown>> = [];
  const serve = async (env: Env) => {
    const crm = await startTestApp(env);
    opened.push(() => crm.close({ keepDatabase: true }));
    return crm;
  };
  /** The rotation in this process, as the CLI builds it (same module, same configuration). */
  const rotationService = async (env: Env) => {
    const context = await NestFactory.createApplicationContext(
      CliModule.forRoot(loadConfig(env), [KeysCommandModule]),
      { logger: false },
    );
    opened.push(() => context.close());
    return context.get(KeyRotationService);
  };

  beforeAll(() => midaz.start());
  afterEach(() => Promise.all(opened.splice(0).map((close) => close())));
  afterAll(async () => {
    await Promise.all(
      connections.map(async (connection) => {
        await connection.dropDatabase();
        await connection.close();
      }),
    );
    await midaz.stop();
  });

  /**
   * A database seeded through the API under key set A: holders of both types (encrypted contacts,
   * representatives) and, for two holders in three, an alias with banking details and two related parties.
   * Returns the environments with B current (A previous) and B alone.
   */
  async function seededUnderA(holderCount: number) {
    const envA = testEnv({ MIDAZ_LEDGER_URL: midaz.url });
    const crm = await startTestApp(envA);
    const api = orgClient(crm);
    const holders: Json[] = [];
    const aliases: Json[] = [];
    for (let i = 0; i < holderCount; i++) {
      const body =
        i % 2 === 0
          ? naturalPerson({
              name: `Person ${i}`,
              contact: { primaryEmail: `person${i}@example.com`, mobilePhone: '+55 11 99999-0000' },
              naturalPerson: { motherName: `Mother ${i}` },
            })
          : legalPerson({
              name: `Company ${i}`,
              legalPerson: {
                tradeName: `Trade ${i}`,
                representative: { name: `Representative ${i}`, document: cpf(), email: `rep${i}@example.com` },
              },
            });
      const holder = await api.post('/v1/holders', body);
      expect(holder.status).toBe(201);
      holders.push(holder.body);
      if (i % 3 === 2) continue;
      aliases.push(await createAlias(api, holder.body.id, i));
    }
    await crm.close({ keepDatabase: true });
    const keysB = testKeys();
    const envB: Env = {
      ...envA,
      ...keysB,
      LCRYPTO_ENCRYPT_PREVIOUS_KEYS: envA.LCRYPTO_ENCRYPT_SECRET_KEY,
      LCRYPTO_HASH_PREVIOUS_KEYS: envA.LCRYPTO_HASH_SECRET_KEY,
    };
    const envBOnly: Env = { ...envA, ...keysB };
    const connection = await mongoose.createConnection(envA.MONGO_URI!, { dbName: envA.MONGO_NAME }).asPromise();
    connections.push(connection);
    return { envA, envB, envBOnly, organizationId: api.organizationId, holders, aliases, connection };
  }

  async function createAlias(api: OrgClient, holderId: string, i: number): Promise<Json> {
    const ledgerId = randomUUID();
    const accountId = randomUUID();
    midaz.addAccount(api.organizationId, ledgerId, accountId);
    const party = (name: string) => relatedParty({ document: cpf(), name });
    const alias = await api.post(`/v1/holders/${holderId}/aliases`, {
      ledgerId,
      accountId,
      bankingDetails: {
        branch: '0001',
        account: `${10_000 + i}-${i % 10}`,
        type: 'CACC',
        openingDate: '2025-01-01',
        iban: `BR15 0000 0000 0000 ${String(i).padStart(4, '0')} 1234 5`,
      },
      regulatoryFields: { participantDocument: cnpj() },
      relatedParties: [party(`Party ${i}a`), party(`Party ${i}b`)],
    });
    expect(alias.status).toBe(201);
    return alias.body;
  }

  /** Every searchable field of every record finds it. */
  async function expectSearchable(api: OrgClient, holders: Json[], aliases: Json[]): Promise<void> {
    const ids = async (path: string) => ((await api.get(path)).body.items as Json[]).map((item) => item.id);
    for (const holder of holders)
      expect(await ids(`/v1/holders?document=${encodeURIComponent(holder.document)}`)).toEqual([holder.id]);
    for (const alias of aliases) {
      const filters = {
        document: alias.document,
        banking_details_account: alias.bankingDetails.account,
        banking_details_iban: alias.bankingDetails.iban,
        regulatory_fields_participant_document: alias.regulatoryFields.participantDocument,
        related_party_document: alias.relatedParties[alias.relatedParties.length - 1].document,
      };
      for (const [filter, value] of Object.entries(filters))
        expect([filter, await ids(`/v1/aliases?${filter}=${encodeURIComponent(value)}`)]).toEqual([filter, [alias.id]]);
    }
  }

  it('rotates online under a concurrent API writer: everything ends under B, no write is lost, search and start work without A', async () => {
    const { envA, envB, envBOnly, organizationId, holders, aliases, connection } = await seededUnderA(12);
    const [idA, idB] = [keyId(envA.LCRYPTO_ENCRYPT_SECRET_KEY), keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY)];
    const [hashA, hashB] = [keyId(envA.LCRYPTO_HASH_SECRET_KEY), keyId(envB.LCRYPTO_HASH_SECRET_KEY)];

    const before = await statusJson(envB);
    const holdersBefore = before.collections.find((report: Json) => report.collection === 'holders');
    expect(holdersBefore).toMatchObject({ records: 12, current: 0, unreadable: { count: 0 } });
    expect(holdersBefore.encryptionKeys[idA].records).toBe(12);
    expect(holdersBefore.hashKeys[hashA].records).toBe(12);
    expect(
      before.collections.find((report: Json) => report.collection === 'alias_accounts').encryptionKeys[idA].values,
    ).toBe(aliases.length * 8); // 4 fields + 2 related parties × 2
    expect(before.keys).toContainEqual({
      kind: 'encryption',
      id: idA,
      role: 'previous',
      inUse: true,
      removable: false,
    });
    expect(before.previousKeysRemovable).toBe(false);

    const api = orgClient(await serve(envB), organizationId);
    // While A is still a previous hash key, a document stored under A's token is still a duplicate.
    expect(
      (await api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Copy', document: holders[0].document })).status,
    ).toBe(409);

    const rotation = await rotationService(envB);
    let rotating = true;
    const expectedNames = new Map<string, string>();
    const created: Json[] = [];
    const createdAliases: Json[] = [];
    const partyCounts = new Map<string, number>(aliases.map((alias) => [alias.id, 2]));
    const writer = (async () => {
      for (let n = 0; rotating || n < 6; n++) {
        const holder = holders[n % holders.length];
        const name = `Renamed ${n}`;
        const renamed = await api.patch(`/v1/holders/${holder.id}`, { name });
        expect([renamed.status, renamed.body.code]).toEqual([200, undefined]);
        expectedNames.set(holder.id, name);
        if (n % 3 === 0) {
          const alias = aliases[n % aliases.length];
          const patched = await api.patch(`/v1/holders/${alias.holderId}/aliases/${alias.id}`, {
            relatedParties: [
              relatedParty({ document: cpf(), name: `Added ${n}`, role: 'RESPONSIBLE_PARTY', startDate: '2025-02-01' }),
            ],
          });
          expect([patched.status, patched.body.code]).toEqual([200, undefined]);
          partyCounts.set(alias.id, patched.body.relatedParties.length);
          aliases[n % aliases.length] = patched.body;
        }
        if (n % 4 === 0) {
          const fresh = await api.post(
            '/v1/holders',
            naturalPerson({ name: `New ${n}`, contact: { primaryEmail: `new${n}@example.com` } }),
          );
          expect([fresh.status, fresh.body.code]).toEqual([201, undefined]);
          created.push(fresh.body);
          createdAliases.push(await createAlias(api, fresh.body.id, 100 + n));
        }
      }
    })();
    const summary = await rotation
      .rotate({ batchSize: 3, maxPerSecond: 40, dryRun: false })
      .finally(() => (rotating = false));
    await writer;
    expect(summary.canaryResealed).toBe(true);
    for (const rotation of summary.collections) expect(rotation.failed.count).toBe(0);
    expect(summary.collections.reduce((sum, rotation) => sum + rotation.rewritten, 0)).toBeGreaterThan(0);
    expect(expectedNames.size).toBeGreaterThan(0);
    // FerretDB (the test stand-in, no MongoDB download here) is not atomic for concurrent writes to one
    // document: of two updates landing together one is often lost (measured: most of 300 tries), so an API
    // $set and a rotation $set can undo each other there. MongoDB applies each single-document update
    // atomically and the rotation's write is conditional, so there one pass loses nothing; that condition is
    // tested deterministically below ("a record changed between …"). On FerretDB a second pass, with the
    // writer stopped, re-seals what a lost update left, and a reverted name is not counted as our loss.
    const atomicUpdates = process.env.CRM_TEST_DB_KIND !== 'ferretdb';
    if (!atomicUpdates) await rotation.rotate({ batchSize: 3, maxPerSecond: 0, dryRun: false });

    // Raw collections: every ciphertext under B.
    const keyIds = await envelopeKeyIds(connection);
    expect(Object.keys(keyIds)).toEqual([idB]);
    expect(keyIds[idB]).toBeGreaterThan(holders.length * 4);

    // No API write lost or reverted.
    if (atomicUpdates)
      for (const [id, name] of expectedNames) expect((await api.get(`/v1/holders/${id}`)).body.name).toBe(name);
    for (const [id, count] of partyCounts) {
      const alias = aliases.find((candidate) => candidate.id === id)!;
      expect((await api.get(`/v1/holders/${alias.holderId}/aliases/${id}`)).body.relatedParties).toHaveLength(count);
    }

    const verify = await runCli(envB, ['keys', 'verify']);
    expect(verify.stdout).toContain('OK: every record');
    expect(verify.code).toBe(0);

    // Without A: the service starts (canary under B), every record is found by every searchable field.
    const withoutA = await serve(envBOnly);
    const apiB = orgClient(withoutA, organizationId);
    expect((await withoutA.request('/readyz')).status).toBe(200);
    await expectSearchable(apiB, [...holders, ...created], [...aliases, ...createdAliases]);
    // Uniqueness now rests on the unique index over B's tokens alone.
    expect(
      (await apiB.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Copy', document: holders[0].document })).status,
    ).toBe(409);

    const after = await statusJson(envBOnly);
    expect(after.previousKeysRemovable).toBe(true);
    expect(after.canary).toEqual({ encryption: idB, hashing: hashB, current: true });
    // Every collection that holds records (idempotency answers may be none here) is under B alone.
    const holding = after.collections.filter((report: { records: number }) => report.records > 0);
    expect(holding.map((report: { collection: string }) => report.collection)).toEqual(
      expect.arrayContaining(['alias_accounts', 'holders']),
    );
    for (const report of holding) {
      expect(Object.keys(report.encryptionKeys)).toEqual([idB]);
      expect(Object.keys(report.hashKeys)).toEqual([hashB]);
      expect(report.current).toBe(report.records);
    }
    // The old keys alone no longer match the stored data.
    await expect(startTestApp(envA)).rejects.toThrow(/key does not match stored data/);
  });

  /**
   * A rotation to B that examines one record a second, in one batch holding every holder: once the first
   * holder is rewritten, the last one has long been read and not yet written.
   */
  async function rotationUnderWay(envB: Env, holders: Json[], connection: Connection) {
    const idB = keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY);
    const rotation = (await rotationService(envB)).rotate({ batchSize: 50, maxPerSecond: 1, dryRun: false });
    const records = connection.db!.collection<Json>('holders');
    const firstRewritten = async () =>
      String((await records.findOne({ _id: holders[0].id }))!.name).startsWith(`v1:${idB}:`);
    expect(await waitUntil(firstRewritten, { timeoutMs: 30_000, intervalMs: 20 })).toBe(true);
    return { rotation, last: holders[holders.length - 1], records };
  }

  it("a record changed between the rotation's read and its write is read again and retried; the API write stays", async () => {
    const { envB, organizationId, holders, connection } = await seededUnderA(4);
    const idB = keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY);
    const api = orgClient(await serve(envB), organizationId);
    const { rotation, last } = await rotationUnderWay(envB, holders, connection);
    expect((await api.patch(`/v1/holders/${last.id}`, { name: 'Changed meanwhile' })).status).toBe(200);
    const summary = await rotation;

    const holderRotation = summary.collections.find((collection) => collection.collection === 'holders')!;
    expect(holderRotation).toMatchObject({ examined: 4, rewritten: 4, retried: 1, failed: { count: 0 } });
    expect((await api.get(`/v1/holders/${last.id}`)).body.name).toBe('Changed meanwhile');
    expect(Object.keys(await envelopeKeyIds(connection))).toEqual([idB]);
  });

  it("a record deleted between the rotation's read and its write is counted as gone meanwhile, apart from those already current", async () => {
    const { envB, holders, connection } = await seededUnderA(4);
    const { rotation, last, records } = await rotationUnderWay(envB, holders, connection);
    expect((await records.deleteOne({ _id: last.id })).deletedCount).toBe(1);
    const summary = await rotation;

    const holderRotation = summary.collections.find((collection) => collection.collection === 'holders')!;
    expect(holderRotation).toMatchObject({
      examined: 4,
      rewritten: 3,
      alreadyCurrent: 0,
      goneMeanwhile: 1,
      failed: { count: 0 },
    });
    expect(renderRotation(summary)).toMatch(/holders: 4 examined, 3 rewritten, 0 already current, 1 gone meanwhile, /);

    // A second run finds the rest already current, and nothing gone.
    const again = await (await rotationService(envB)).rotate({ batchSize: 50, dryRun: false });
    expect(again.collections.find((collection) => collection.collection === 'holders')).toMatchObject({
      examined: 3,
      rewritten: 0,
      alreadyCurrent: 3,
      goneMeanwhile: 0,
    });
    expect(renderRotation(again)).toMatch(/holders: 3 examined, 0 rewritten, 3 already current, 0 gone meanwhile, /);
  });

  it('a rotation killed midway (SIGKILL) resumes from its checkpoint and ends as an uninterrupted run would', async () => {
    const { envA, envB, envBOnly, organizationId, connection } = await seededUnderA(20);
    const [idA, idB] = [keyId(envA.LCRYPTO_ENCRYPT_SECRET_KEY), keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY)];
    const lists = async (env: Env) => {
      const crm = await startTestApp(env);
      const api = orgClient(crm, organizationId);
      const state = [
        (await api.get('/v1/holders?limit=100')).body.items,
        (await api.get('/v1/aliases?limit=100')).body.items,
      ];
      await crm.close({ keepDatabase: true });
      return state;
    };
    const readBefore = await lists(envB);

    const slow = startCli(envB, ['keys', 'rotate', '--batch', '2', '--max-per-second', '8']);
    const checkpoints = connection.db!.collection<Json>('key_rotation_checkpoints');
    const checkpointedMidway = async () =>
      !!(await checkpoints.findOne({ 'progress.examined': { $gte: 6 }, finishedAt: null }));
    expect(await waitUntil(checkpointedMidway, { timeoutMs: 90_000 })).toBe(true);
    slow.child.kill('SIGKILL');
    expect(await slow.exited).toBeNull();
    const midway = await envelopeKeyIds(connection);
    expect(midway[idA]).toBeGreaterThan(0);
    expect(midway[idB]).toBeGreaterThan(0);

    // The killed run's lease keeps a new run out until it expires; here it expires at once instead of after its duration.
    const tooEarly = await runCli(envB, ['keys', 'rotate']);
    expect([tooEarly.code, tooEarly.stderr]).toEqual([1, expect.stringMatching(/a key rotation is already running/)]);
    await leases(connection).updateOne({ _id: LEASE_ID }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const resumed = await runCli(envB, ['keys', 'rotate']);
    expect(resumed.stdout).toMatch(/resumed after [0-9a-f-]{36}/);
    expect(resumed.stdout).toMatch(/Took over the expired lease of .+ pid \d+/);
    expect(resumed.code).toBe(0);
    expect(Object.keys(await envelopeKeyIds(connection))).toEqual([idB]);
    expect((await runCli(envB, ['keys', 'verify'])).code).toBe(0);

    // Same records, same values, same timestamps (a key rewrite is no change of data), read without A.
    expect(await lists(envBOnly)).toEqual(readBefore);
    // A second run on finished data changes nothing.
    const stateAfter = await rawState(connection);
    const again = await runCli(envBOnly, ['keys', 'rotate']);
    expect(again.stdout).toMatch(/holders: 20 examined, 0 rewritten, 20 already current, 0 gone meanwhile/);
    expect(again.code).toBe(0);
    const withoutCheckpoints = (state: string) => JSON.stringify((JSON.parse(state) as unknown[]).slice(0, 3));
    expect(withoutCheckpoints(await rawState(connection))).toBe(withoutCheckpoints(stateAfter));
  });

  it('Ctrl-C stops the bar, restores the terminal, says where the run stopped and how to resume, exits 130', async () => {
    const { envB, connection } = await seededUnderA(20);
    const run = startCliOnTerminal(envB, ['keys', 'rotate', '--batch', '2', '--max-per-second', '8']);
    const checkpoints = connection.db!.collection<Json>('key_rotation_checkpoints');
    const checkpointedMidway = async () =>
      !!(await checkpoints.findOne({ 'progress.examined': { $gte: 6 }, finishedAt: null }));
    expect(await waitUntil(checkpointedMidway, { timeoutMs: 90_000 })).toBe(true);
    run.pressCtrlC();
    expect(await run.exited).toBe(130);

    const screen = run.stdout();
    const [hideCursor, showCursor, wrapOff, wrapOn] = ['\x1b[?25l', '\x1b[?25h', '\x1b[?7l', '\x1b[?7h'];
    expect(screen).toContain(hideCursor); // the bar was drawn, on a terminal
    expect(screen.lastIndexOf(showCursor)).toBeGreaterThan(screen.lastIndexOf(hideCursor));
    expect(screen.lastIndexOf(wrapOn)).toBeGreaterThan(screen.lastIndexOf(wrapOff));
    expect(screen).toMatch(
      /keys rotate: interrupted in (alias_accounts|holders) after \d+ of \d+ records\. What is done stays done: run `keys rotate` again to continue from there\./,
    );

    // The interrupted run gave its lease back: a new run continues at once from the checkpoint.
    const resumed = await runCli(envB, ['keys', 'rotate']);
    expect(resumed.stdout).toMatch(/resumed after [0-9a-f-]{36}/);
    expect(resumed.stdout).not.toMatch(/Took over/);
    expect(resumed.code).toBe(0);
    expect((await runCli(envB, ['keys', 'verify'])).code).toBe(0);
  });

  it('a tampered record is reported by status, rotate and verify, and left untouched', async () => {
    const { envB, holders, connection } = await seededUnderA(6);
    const records = connection.db!.collection<Json>('holders');
    const [victim, donor] = [holders[0].id, holders[2].id];
    // A ciphertext moved from another record: bound to that record, it no longer authenticates here.
    const donorName = (await records.findOne({ _id: donor }))!.name;
    await records.updateOne({ _id: victim }, { $set: { name: donorName } });
    const tampered = await records.findOne({ _id: victim });

    const status = await runCli(envB, ['keys', 'status', '--json']);
    const report = JSON.parse(status.stdout).collections.find(
      (collection: Json) => collection.collection === 'holders',
    );
    expect(report.unreadable).toEqual({ count: 1, ids: [victim] });
    expect(report.records).toBe(6);

    const rotate = await runCli(envB, ['keys', 'rotate']);
    expect(rotate.stdout).toContain(`failed: ${victim} (authentication)`);
    expect(rotate.stdout).toContain(
      'holders: 6 examined, 5 rewritten, 0 already current, 0 gone meanwhile, 0 retried, 1 failed',
    );
    expect(rotate.stdout).toContain('Keyring canary left as it was');
    expect(rotate.code).toBe(1);
    expect(await records.findOne({ _id: victim })).toEqual(tampered);
    expect((await records.findOne({ _id: donor }))!.name).not.toBe(donorName);

    const verify = await runCli(envB, ['keys', 'verify']);
    expect(verify.stdout).toContain('NOT READY');
    expect(verify.stdout).toContain(victim);
    expect(verify.code).toBe(1);
    // Ids only: no protected value reaches the output.
    const output = status.stdout + status.stderr + rotate.stdout + rotate.stderr + verify.stdout + verify.stderr;
    for (const holder of holders) expect(output).not.toContain(holder.name);
  });

  it('a rewrite a unique index refuses (two records indexing to one token) is reported as a duplicate, not a crash', async () => {
    const { envA, envB, organizationId, holders, connection } = await seededUnderA(2);
    // What an older normalizer could leave behind: a second live holder with the same document under another token.
    const ring = new Keyring(keyMaterialOf(envA));
    const twin: Json = {
      _id: uuidv7(),
      organizationId,
      type: 'NATURAL_PERSON',
      name: 'Twin',
      document: holders[0].document,
      deletedAt: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    new FieldProtector('holders', HOLDER_PROTECTED_FIELDS.specs, new FieldCipher(ring), new BlindIndex(ring)).seal(
      plainAccess(twin),
    );
    twin.search = { document: 'token-of-an-older-normalization' };
    await connection.db!.collection<Json>('holders').insertOne(twin);

    const rotate = await runCli(envB, ['keys', 'rotate']);
    expect(rotate.stderr).not.toContain('crm-cli:');
    expect(rotate.stdout).toContain(`failed: ${twin._id} (duplicate)`);
    expect(rotate.stdout).toContain(
      'holders: 3 examined, 2 rewritten, 0 already current, 0 gone meanwhile, 0 retried, 1 failed',
    );
    expect(rotate.code).toBe(1);
    expect((await connection.db!.collection<Json>('holders').findOne({ _id: twin._id }))!.search.document).toBe(
      'token-of-an-older-normalization',
    );
  });

  it('legacy plaintext in a field encrypted since a later version is counted as plaintext and encrypted by the rotation', async () => {
    const { envB, organizationId, holders, connection } = await seededUnderA(2);
    const records = connection.db!.collection<Json>('holders');
    await records.updateOne({ _id: holders[0].id }, { $set: { 'naturalPerson.socialName': 'Legacy Social Name' } });
    const report = (await statusJson(envB)).collections.find((collection: Json) => collection.collection === 'holders');
    expect(report.encryptionKeys.plaintext).toEqual({ records: 1, values: 1 });
    expect(report.unreadable.count).toBe(0);

    expect((await runCli(envB, ['keys', 'rotate'])).code).toBe(0);
    const stored = (await records.findOne({ _id: holders[0].id }))!;
    expect(stored.naturalPerson.socialName).toMatch(new RegExp(`^v1:${keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY)}:`));
    expectNoPlaintext(await rawCollectionText(connection, 'holders'), ['Legacy Social Name'], [holders[0].id]);
    const crm = await serve(envB);
    expect(
      (await orgClient(crm, organizationId).get(`/v1/holders/${holders[0].id}`)).body.naturalPerson.socialName,
    ).toBe('Legacy Social Name');
  });

  describe('one rotation at a time (a lease in the database)', () => {
    /** Whether the keyring canary is still sealed under the given encryption key. */
    const canaryUnder = async (connection: Connection, id: string) =>
      EJSON.stringify(await connection.db!.collection('crypto_canary').find({}).toArray()).includes(`"v1:${id}:`);

    it('two rotations started at once: one rewrites every record, the other exits at once naming the running one', async () => {
      const { envB, aliases, connection } = await seededUnderA(8);
      // Slow enough (about 7 s) that the second process has booted while the first still works.
      const args = ['keys', 'rotate', '--batch', '1', '--max-per-second', '2'];
      const runs = [startCli(envB, args), startCli(envB, args)];
      const results = await Promise.all(
        runs.map(async (run) => ({ code: await run.exited, stdout: run.stdout(), stderr: run.stderr() })),
      );
      const [winner, loser] = results[0].code === 0 ? results : [results[1], results[0]];
      expect([winner.code, loser.code]).toEqual([0, 1]);
      expect(winner.stdout).toContain('holders: 8 examined, 8 rewritten');
      expect(winner.stdout).toContain(`alias_accounts: ${aliases.length} examined, ${aliases.length} rewritten`);
      expect(loser.stdout).toBe('');
      expect(loser.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(loser.stderr).toMatch(/a key rotation is already running \(.+ pid \d+\).* expires in \d+ s/);
      expect(await leases(connection).countDocuments()).toBe(0);
    });

    it('the expired lease of a killed run is taken over and the run completes', async () => {
      const { envB, connection } = await seededUnderA(3);
      const idB = keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY);
      await leases(connection).insertOne({
        _id: LEASE_ID,
        owner: randomUUID(),
        holder: 'killed-host pid 4242',
        expiresAt: new Date(Date.now() - 60_000),
      });

      const rotate = await runCli(envB, ['keys', 'rotate']);
      expect(rotate.stdout).toContain('Took over the expired lease of killed-host pid 4242');
      expect(rotate.code).toBe(0);
      expect(Object.keys(await envelopeKeyIds(connection))).toEqual([idB]);
      expect(await leases(connection).countDocuments()).toBe(0);
    });

    it('a live lease is not taken over: the run exits non-zero, writes nothing and leaves the lease alone', async () => {
      const { envA, envB, connection } = await seededUnderA(3);
      const idA = keyId(envA.LCRYPTO_ENCRYPT_SECRET_KEY);
      const live = {
        _id: LEASE_ID,
        owner: randomUUID(),
        holder: 'busy-host pid 7',
        expiresAt: new Date(Date.now() + 600_000),
      };
      await leases(connection).insertOne(live);

      const rotate = await runCli(envB, ['keys', 'rotate']);
      expect(rotate.code).toBe(1);
      expect(rotate.stdout).toBe('');
      expect(rotate.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(rotate.stderr).toMatch(/a key rotation is already running \(busy-host pid 7\).* expires in (59\d|600) s/);
      expect(await leases(connection).find({}).toArray()).toEqual([live]);
      expect(Object.keys(await envelopeKeyIds(connection))).toEqual([idA]);
      expect(await connection.db!.collection('key_rotation_checkpoints').countDocuments()).toBe(0);
    });

    it('a run whose lease was taken over between batches stops before writing more records', async () => {
      const { envA, envB, connection } = await seededUnderA(6);
      const [idA, idB] = [keyId(envA.LCRYPTO_ENCRYPT_SECRET_KEY), keyId(envB.LCRYPTO_ENCRYPT_SECRET_KEY)];
      const service = await rotationService(envB);
      const rotation = service.rotate({ batchSize: 1, maxPerSecond: 4, dryRun: false });
      const outcome = rotation.then(
        () => 'finished',
        (error: Error) => error.message,
      );
      const checkpoints = connection.db!.collection<Json>('key_rotation_checkpoints');
      expect(await waitUntil(async () => !!(await checkpoints.findOne({ 'progress.examined': { $gte: 2 } })))).toBe(
        true,
      );

      // What another run does once the lease has expired: the lease now names another owner.
      const usurper = { owner: randomUUID(), holder: 'usurper-host pid 9', expiresAt: new Date(Date.now() + 600_000) };
      const takenOver = async () => {
        await leases(connection).updateOne({ _id: LEASE_ID }, { $set: usurper });
        // FerretDB applies an update as a read then a write: a renewal landing together could undo ours.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return (await leases(connection).findOne({ _id: LEASE_ID }))?.owner === usurper.owner;
      };
      expect(await waitUntil(takenOver, { timeoutMs: 5_000, intervalMs: 0 })).toBe(true);
      const rewrittenAtTakeover = await recordsUnder(connection, idB);

      expect(await outcome).toMatch(/lease .*taken over by usurper-host pid 9/);
      expect((await recordsUnder(connection, idB)) - rewrittenAtTakeover).toBeLessThanOrEqual(1);
      expect(await recordsUnder(connection, idA)).toBeGreaterThan(0);
      expect(await canaryUnder(connection, idA)).toBe(true);
      expect(await leases(connection).findOne({ _id: LEASE_ID })).toMatchObject(usurper);
    });
  });

  it('--dry-run counts what it would rewrite and writes nothing', async () => {
    const { envB, aliases, connection } = await seededUnderA(4);
    const before = await rawState(connection);
    const dryRun = await runCli(envB, ['keys', 'rotate', '--dry-run']);
    expect(dryRun.stdout).toContain('Dry run: nothing was written.');
    expect(dryRun.stdout).toContain('holders: 4 examined, 4 would rewrite');
    expect(dryRun.stdout).toContain(`alias_accounts: ${aliases.length} examined, ${aliases.length} would rewrite`);
    expect(dryRun.code).toBe(0);
    expect(await rawState(connection)).toBe(before);
    expect(await connection.db!.collection('key_rotation_checkpoints').countDocuments()).toBe(0);
  });
});
