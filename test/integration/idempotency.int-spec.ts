import { createHash, randomUUID } from 'node:crypto';
import { Connection } from 'mongoose';
import { IdempotencyStore } from '../../apps/crm/src/idempotency/idempotency.store';
import { canonicalJson } from '../../apps/crm/src/idempotency/idempotency-entry';
import { CLAIM_TIMEOUT_MS } from '../../apps/crm/src/idempotency/idempotent-creates';
import { aliasBody, ledgerAccount } from '../factories/aliases';
import { completeNaturalPerson, naturalPerson } from '../factories/holders';
import { newOrganizationId, organizationHeaders } from '../factories/organization';
import { openDatabase } from '../utils/crm-with-midaz';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { FakePluginAuth } from '../utils/fake-plugin-auth';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { startTestApp, testEnv, TestApp, TestResponse } from '../utils/test-app';
import { unverifiedJwt } from '../utils/tokens';

const KEYS = 'idempotency_keys';
const REPLAYED = 'x-idempotency-replayed';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A POST to `path` for `organizationId`, with these extra headers (the idempotency key among them). */
function poster(crm: () => TestApp) {
  return (organizationId: string, path: string, json: unknown, headers: Record<string, string> = {}) =>
    crm().request(path, { method: 'POST', headers: organizationHeaders(organizationId, headers), json });
}

const key = () => `retry-${randomUUID()}`;
const codeOf = (response: TestResponse) => [response.status, response.body?.code as string | undefined];

describe('idempotent creates', () => {
  // No Midaz retries: a failing Midaz call answers 503 at once, without opening the circuit.
  const stack = crmWithMidazForAll({ MIDAZ_RETRIES: '0' });
  const post = poster(() => stack.crm);
  const count = (collection: string, organizationId: string) =>
    stack.connection.db!.collection(collection).countDocuments({ organizationId });
  const entriesOf = (organizationId: string) =>
    stack.connection.db!.collection(KEYS).find({ organizationId }).toArray();

  it('a retry with the same key and body replays the first answer and creates nothing', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const first = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    expect(first.headers.get(REPLAYED)).toBeNull();

    const retries = [
      await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey }),
      // Midaz v4's header, the IETF quoted form, and the body's keys in another order: the same request.
      await post(org, '/v1/holders', body, { 'x-idempotency': idempotencyKey }),
      await post(org, '/v1/holders', body, { 'idempotency-key': `"${idempotencyKey}"` }),
      await post(org, '/v1/holders', Object.fromEntries(Object.entries(body).reverse()), {
        'idempotency-key': idempotencyKey,
      }),
    ];
    for (const retry of retries) {
      expect([retry.status, retry.headers.get(REPLAYED)]).toEqual([201, 'true']);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    }
    expect(await count('holders', org)).toBe(1);
    // The counterpart: without a key, the same body is a new request (refused: the document is taken).
    expect(codeOf(await post(org, '/v1/holders', body))).toEqual([409, 'CRM-0010']);
    expect(codeOf(await post(org, '/v1/holders', naturalPerson()))).toEqual([201, undefined]);
    expect(await count('holders', org)).toBe(2);
  });

  it('an alias create replays too, without asking Midaz again; the holder is part of the scope', async () => {
    const org = newOrganizationId();
    const client = { organizationId: org } as Parameters<typeof ledgerAccount>[1];
    const holderA = (await post(org, '/v1/holders', naturalPerson())).body as { id: string };
    const holderB = (await post(org, '/v1/holders', naturalPerson())).body as { id: string };
    const account = ledgerAccount(stack.midaz, client);
    const body = aliasBody(account);
    const idempotencyKey = key();
    const first = await post(org, `/v1/holders/${holderA.id}/aliases`, body, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    const midazCalls = stack.midaz.callsTo(account.accountId).length;
    expect(midazCalls).toBeGreaterThan(0);

    const retry = await post(org, `/v1/holders/${holderA.id}/aliases`, body, { 'idempotency-key': idempotencyKey });
    expect([retry.status, retry.headers.get(REPLAYED), retry.text]).toEqual([201, 'true', first.text]);
    expect(stack.midaz.callsTo(account.accountId)).toHaveLength(midazCalls);
    expect(await count('alias_accounts', org)).toBe(1);

    // The same key on another holder is another scope: neither a replay nor a mismatch.
    const other = aliasBody(ledgerAccount(stack.midaz, client));
    const onB = await post(org, `/v1/holders/${holderB.id}/aliases`, other, { 'idempotency-key': idempotencyKey });
    expect([onB.status, onB.headers.get(REPLAYED)]).toEqual([201, null]);
    expect(onB.body.holderId).toBe(holderB.id);
    expect(await count('alias_accounts', org)).toBe(2);
  });

  it('20 concurrent POSTs with one key: exactly one record, the others a replay of it or 409 CRM-0051', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey })),
    );
    const created = answers.filter((answer) => answer.status === 201 && answer.headers.get(REPLAYED) === null);
    const replays = answers.filter((answer) => answer.status === 201 && answer.headers.get(REPLAYED) === 'true');
    const busy = answers.filter((answer) => answer.status === 409 && answer.body.code === 'CRM-0051');
    expect(created).toHaveLength(1);
    expect(replays.length + busy.length).toBe(19);
    for (const replay of replays) expect(replay.text).toBe(created[0].text);
    for (const answer of busy) expect(answer.headers.get('retry-after')).toBe('1');
    expect(await count('holders', org)).toBe(1);
    // Once the first is answered, every retry gets its answer.
    const late = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect([late.status, late.headers.get(REPLAYED), late.text]).toEqual([201, 'true', created[0].text]);
  });

  it('the same key with a different body is 422 CRM-0050 and creates nothing; the first answer stays', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const first = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    const changed = await post(
      org,
      '/v1/holders',
      { ...body, name: 'Outra Pessoa' },
      { 'x-idempotency': idempotencyKey },
    );
    expect(codeOf(changed)).toEqual([422, 'CRM-0050']);
    expect(changed.headers.get(REPLAYED)).toBeNull();
    expect(await count('holders', org)).toBe(1);
    const again = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect([again.status, again.text]).toEqual([201, first.text]);
  });

  it('a first attempt that failed (4xx or 5xx) does not hold the key: the retry runs afresh and creates', async () => {
    const org = newOrganizationId();
    // 400: the body fails validation; the same key then carries a valid (different) body.
    const invalidKey = key();
    expect(
      codeOf(await post(org, '/v1/holders', { type: 'NATURAL_PERSON' }, { 'idempotency-key': invalidKey })),
    ).toEqual([400, 'CRM-0003']);
    const valid = await post(org, '/v1/holders', naturalPerson(), { 'idempotency-key': invalidKey });
    expect([valid.status, valid.headers.get(REPLAYED)]).toEqual([201, null]);

    // 409: the document is taken; once that holder is gone, the same request with the same key creates.
    const body = naturalPerson();
    const blocking = (await post(org, '/v1/holders', body)).body as { id: string };
    const conflictKey = key();
    expect(codeOf(await post(org, '/v1/holders', body, { 'idempotency-key': conflictKey }))).toEqual([409, 'CRM-0010']);
    const removed = await stack.crm.request(`/v1/holders/${blocking.id}?hard_delete=true`, {
      method: 'DELETE',
      headers: organizationHeaders(org),
    });
    expect(removed.status).toBe(204);
    const retried = await post(org, '/v1/holders', body, { 'idempotency-key': conflictKey });
    expect([retried.status, retried.headers.get(REPLAYED)]).toEqual([201, null]);
    expect(retried.body.id).not.toBe(blocking.id);

    // 503: Midaz fails once; the alias retry with the same key creates.
    const client = { organizationId: org } as Parameters<typeof ledgerAccount>[1];
    const holder = (await post(org, '/v1/holders', naturalPerson())).body as { id: string };
    const aliasKey = key();
    const alias = aliasBody(ledgerAccount(stack.midaz, client));
    stack.midaz.failNext(1);
    const failed = await post(org, `/v1/holders/${holder.id}/aliases`, alias, { 'idempotency-key': aliasKey });
    expect(codeOf(failed)).toEqual([503, 'CRM-0032']);
    const created = await post(org, `/v1/holders/${holder.id}/aliases`, alias, { 'idempotency-key': aliasKey });
    expect([created.status, created.headers.get(REPLAYED)]).toEqual([201, null]);
    expect(await count('alias_accounts', org)).toBe(1);
    // Failures left no entry behind; the three successes did.
    expect((await entriesOf(org)).map((entry) => entry.state)).toEqual(['done', 'done', 'done']);
  });

  it('a key expires after X-TTL seconds: a retry then runs afresh instead of replaying', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const before = Date.now();
    const first = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey, 'x-ttl': '1' });
    expect(first.status).toBe(201);
    const [entry] = await entriesOf(org);
    expect((entry.expiresAt as Date).getTime()).toBeGreaterThanOrEqual(before + 1000);
    expect((entry.expiresAt as Date).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const soon = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey, 'x-ttl': '1' });
    expect([soon.status, soon.headers.get(REPLAYED), soon.text]).toEqual([201, 'true', first.text]);

    await sleep(Math.max(0, (entry.expiresAt as Date).getTime() - Date.now()) + 100);
    // Run afresh: the document is the first holder's, so the new request is refused, not replayed.
    const late = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(codeOf(late)).toEqual([409, 'CRM-0010']);
    expect(late.headers.get(REPLAYED)).toBeNull();
    expect(await count('holders', org)).toBe(1);
  });

  it('the default TTL is 300 s; X-TTL beyond IDEMPOTENCY_MAX_TTL_SEC, or two different keys, is 400 CRM-0022', async () => {
    const org = newOrganizationId();
    const before = Date.now();
    expect((await post(org, '/v1/holders', naturalPerson(), { 'idempotency-key': key() })).status).toBe(201);
    const [entry] = await entriesOf(org);
    expect((entry.expiresAt as Date).getTime() - before).toBeGreaterThanOrEqual(300_000);
    expect((entry.expiresAt as Date).getTime() - Date.now()).toBeLessThanOrEqual(300_000);

    for (const headers of <Array<Record<string, string>>>[
      { 'idempotency-key': key(), 'x-ttl': '86401' },
      { 'idempotency-key': key(), 'x-ttl': 'soon' },
      { 'idempotency-key': 'a', 'x-idempotency': 'b' },
      { 'idempotency-key': 'has space' },
    ]) {
      const refused = await post(org, '/v1/holders', naturalPerson(), headers);
      expect([headers, ...codeOf(refused)]).toEqual([headers, 400, 'CRM-0022']);
    }
    // Without a key, X-TTL means nothing: the create runs as ever and no entry is written.
    expect((await post(org, '/v1/holders', naturalPerson(), { 'x-ttl': 'soon' })).status).toBe(201);
    expect(await count('holders', org)).toBe(2);
    expect(await entriesOf(org)).toHaveLength(1);
  });

  it('a crashed claim holds its key (409 CRM-0051) until the claim timeout, then is taken over once', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const first = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    const [entry] = await entriesOf(org);
    // Play a request that claimed the key and died before answering; its record is not there either.
    const keys = stack.connection.db!.collection(KEYS);
    const crashed = { state: 'claimed', claim: 'crashed-claim', claimedAt: new Date() };
    await keys.updateOne({ _id: entry._id }, { $set: crashed, $unset: { status: '', answer: '', completedAt: '' } });
    const deleted = await stack.crm.request(`/v1/holders/${first.body.id}?hard_delete=true`, {
      method: 'DELETE',
      headers: organizationHeaders(org),
    });
    expect(deleted.status).toBe(204);

    const busy = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(codeOf(busy)).toEqual([409, 'CRM-0051']);
    expect(busy.headers.get('retry-after')).toBe('1');

    await keys.updateOne({ _id: entry._id }, { $set: { claimedAt: new Date(Date.now() - CLAIM_TIMEOUT_MS - 1) } });
    const takers = await Promise.all(
      Array.from({ length: 5 }, () => post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey })),
    );
    const ran = takers.filter((taker) => taker.status === 201 && taker.headers.get(REPLAYED) === null);
    expect(ran).toHaveLength(1);
    for (const taker of takers.filter((answer) => answer !== ran[0]))
      expect([taker.status, taker.body.code ?? taker.text]).toEqual(
        taker.status === 201 ? [201, ran[0].text] : [409, 'CRM-0051'],
      );
    expect(ran[0].body.id).not.toBe(first.body.id);
    expect(await count('holders', org)).toBe(1);

    // The crashed request, should it wake up, cannot overwrite the taker's answer.
    const store = stack.crm.app.get(IdempotencyStore);
    const late = await store.complete(org, entry._id as unknown as string, 'crashed-claim', {
      status: 201,
      answer: JSON.stringify({ id: first.body.id }),
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(late).toBe(false);
    expect(await store.release(org, entry._id as unknown as string, 'crashed-claim')).toBe(false);
    const retry = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect([retry.status, retry.headers.get(REPLAYED), retry.text]).toEqual([201, 'true', ran[0].text]);
  });

  it('two organizations with the same key are independent', async () => {
    const [orgA, orgB] = [newOrganizationId(), newOrganizationId()];
    const [bodyA, bodyB] = [naturalPerson(), naturalPerson()];
    const idempotencyKey = key();
    const inA = await post(orgA, '/v1/holders', bodyA, { 'idempotency-key': idempotencyKey });
    // Another body under the same key: in A it would be a mismatch, in B it is B's own first request.
    const inB = await post(orgB, '/v1/holders', bodyB, { 'idempotency-key': idempotencyKey });
    expect([inA.status, inB.status, inB.headers.get(REPLAYED)]).toEqual([201, 201, null]);
    expect(inB.body.id).not.toBe(inA.body.id);
    expect(codeOf(await post(orgA, '/v1/holders', bodyB, { 'idempotency-key': idempotencyKey }))).toEqual([
      422,
      'CRM-0050',
    ]);
    const [[entryA], [entryB]] = [await entriesOf(orgA), await entriesOf(orgB)];
    expect(entryA._id).not.toBe(entryB._id);
    // Each replays its own.
    for (const [org, body, first] of [
      [orgA, bodyA, inA],
      [orgB, bodyB, inB],
    ] as const) {
      const replay = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
      expect([replay.status, replay.headers.get(REPLAYED), replay.text]).toEqual([201, 'true', first.text]);
    }
  });

  it('stores no personal data: keyed hashes and a sealed answer (opened only by the service)', async () => {
    const org = newOrganizationId();
    const client = { organizationId: org } as Parameters<typeof ledgerAccount>[1];
    const holderBody = completeNaturalPerson();
    const holderKey = `key-${randomUUID()}`;
    const holder = await post(org, '/v1/holders', holderBody, { 'idempotency-key': holderKey });
    expect(holder.status).toBe(201);
    const alias = aliasBody(ledgerAccount(stack.midaz, client));
    const aliasKey = `key-${randomUUID()}`;
    const created = await post(org, `/v1/holders/${holder.body.id}/aliases`, alias, { 'idempotency-key': aliasKey });
    expect(created.status).toBe(201);

    const entries = await entriesOf(org);
    expect(entries).toHaveLength(2);
    const stored = await rawCollectionText(stack.connection, KEYS);
    const values = [
      holderBody.name,
      holderBody.document,
      holderBody.contact.primaryEmail,
      holderBody.contact.mobilePhone,
      holderBody.naturalPerson.motherName,
      holderBody.naturalPerson.birthDate,
      alias.bankingDetails.account,
      alias.bankingDetails.iban,
      alias.regulatoryFields.participantDocument,
      alias.relatedParties[0].document,
      alias.relatedParties[0].name,
      holder.body.id as string,
      created.body.id as string,
      holderKey,
      aliasKey,
    ];
    // Present: the organization, the states, the sealed answers' envelopes.
    expectNoPlaintext(stored, values, [org, '"done"', '"v1:']);
    // An address line is checked whole: its digits alone ("100") may occur by chance in any ciphertext.
    expect(stored).not.toContain(holderBody.addresses.primary.line1);
    // The request hash is keyed: no plain hash of the body (in any usual encoding) is stored.
    for (const text of [JSON.stringify(holderBody), canonicalJson(holderBody)])
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        expect(stored).not.toContain(createHash('sha256').update(text).digest(encoding));
    // The service opens its own answer: the seal is the answer, not a loss of it.
    const store = stack.crm.app.get(IdempotencyStore);
    const opened = await Promise.all(entries.map((entry) => store.read(org, entry._id as unknown as string)));
    expect(opened.map((entry) => entry?.answer).sort()).toEqual([holder.text, created.text].sort());
    // Bound to its organization: another organization reads nothing under the same id.
    expect(await store.read(newOrganizationId(), entries[0]._id as unknown as string)).toBeNull();
  });

  it('audits a replay as a replay, not as a second creation', async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const first = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    const replay = await post(org, '/v1/holders', body, { 'idempotency-key': idempotencyKey });
    expect(replay.headers.get(REPLAYED)).toBe('true');
    const events = stack.connection.db!.collection('audit_events');
    const eventOf = (response: TestResponse) => events.findOne({ requestId: response.headers.get('x-request-id') });
    const [created, replayed] = [await eventOf(first), await eventOf(replay)];
    expect(created).toMatchObject({ action: 'holders.post', outcome: 201, resourceIds: [first.body.id] });
    expect(created).not.toHaveProperty('replay');
    expect(replayed).toMatchObject({
      action: 'holders.post',
      outcome: 201,
      resourceIds: [first.body.id],
      replay: true,
    });
    const listed = await stack.crm.request(`/v1/audit-events?resource_id=${first.body.id as string}`, {
      headers: organizationHeaders(org),
    });
    expect(listed.body.items.map((item: { replay?: boolean }) => item.replay ?? false)).toEqual([false, true]);
  });

  it('expires entries by a TTL index on expiresAt (MongoDB) or, on an engine without one, by a sweep', async () => {
    const db = stack.connection.db!;
    const ferretdb = 'ferretdbVersion' in (await db.admin().command({ buildInfo: 1 }));
    const expiry = (await db.collection(KEYS).indexes()).find((index) => index.name === 'idempotency_keys_expiry');
    // FerretDB 1.24 refuses expireAfterSeconds ("not implemented yet"): the store then sweeps.
    if (ferretdb) expect(expiry).toBeUndefined();
    else expect(expiry).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });

    const org = newOrganizationId();
    const entry = (id: string, expiresAt: Date) => ({
      _id: id,
      organizationId: org,
      requestHash: 'h',
      state: 'claimed',
      claim: 'c',
      claimedAt: new Date(),
      expiresAt,
    });
    await db
      .collection(KEYS)
      .insertMany([
        entry(`expired-${org}`, new Date(Date.now() - 1000)),
        entry(`live-${org}`, new Date(Date.now() + 60_000)),
      ] as never[]);
    expect(await stack.crm.app.get(IdempotencyStore).sweep()).toBeGreaterThanOrEqual(1);
    expect((await entriesOf(org)).map((stored) => stored._id)).toEqual([`live-${org}`]);
  });

  it('documents the headers, the replay header and CRM-0050/0051 on both create routes, and only there', async () => {
    type Operation = {
      parameters?: Array<{ name: string; in: string }>;
      responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { examples?: object }> }>;
    };
    const spec = (await stack.crm.request('/swagger/json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const headersOf = (operation: Operation) =>
      (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').map(({ name }) => name);
    const codesOf = (operation: Operation, status: string) =>
      Object.keys(operation.responses[status]?.content?.['application/json']?.examples ?? {});
    for (const path of ['/v1/holders', '/v1/holders/{holder_id}/aliases']) {
      const create = spec.paths[path].post;
      expect(headersOf(create)).toEqual(expect.arrayContaining(['Idempotency-Key', 'X-Idempotency', 'X-TTL']));
      expect(Object.keys(create.responses['201'].headers ?? {})).toEqual(['X-Idempotency-Replayed']);
      expect(codesOf(create, '422')).toContain('CRM-0050');
      expect(codesOf(create, '409')).toContain('CRM-0051');
    }
    const patch = spec.paths['/v1/holders/{id}'].patch;
    expect(headersOf(patch)).not.toContain('Idempotency-Key');
    expect(codesOf(patch, '409')).not.toContain('CRM-0051');
  });
});

describe('idempotent creates with authentication: the caller is part of the scope', () => {
  const pluginAuth = new FakePluginAuth();
  let crm: TestApp;
  let connection: Connection;
  const post = poster(() => crm);
  const bearer = (sub: string) => ({
    authorization: `Bearer ${unverifiedJwt({ type: 'normal-user', owner: 'lerian', sub })}`,
  });

  beforeAll(async () => {
    await pluginAuth.start();
    crm = await startTestApp(testEnv({ PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: pluginAuth.url }));
    connection = await openDatabase(crm);
  });
  afterAll(async () => {
    await connection.close();
    await crm.close();
    await pluginAuth.stop();
  });

  it("one caller cannot replay another's create with the same key", async () => {
    const org = newOrganizationId();
    const body = naturalPerson();
    const idempotencyKey = key();
    const ana = await post(org, '/v1/holders', body, { ...bearer('ana'), 'idempotency-key': idempotencyKey });
    expect(ana.status).toBe(201);
    // Bruno's request with Ana's key and body runs as his own (and meets the document taken).
    const bruno = await post(org, '/v1/holders', body, { ...bearer('bruno'), 'idempotency-key': idempotencyKey });
    expect(codeOf(bruno)).toEqual([409, 'CRM-0010']);
    expect(bruno.text).not.toContain(ana.body.id as string);
    // With his own body, the key is his to use: not a mismatch.
    const own = await post(org, '/v1/holders', naturalPerson(), {
      ...bearer('bruno'),
      'idempotency-key': idempotencyKey,
    });
    expect([own.status, own.headers.get(REPLAYED)]).toEqual([201, null]);
    // Ana still gets hers.
    const again = await post(org, '/v1/holders', body, { ...bearer('ana'), 'idempotency-key': idempotencyKey });
    expect([again.status, again.headers.get(REPLAYED), again.text]).toEqual([201, 'true', ana.text]);
    expect(await connection.db!.collection(KEYS).countDocuments({ organizationId: org })).toBe(2);
  });
});
