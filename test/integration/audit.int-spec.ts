import { randomUUID } from 'node:crypto';
import mongoose, { Connection } from 'mongoose';
import { FakePluginAuth } from '../utils/fake-plugin-auth';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { unverifiedJwt } from '../utils/tokens';
import { eventually } from '../utils/eventually';
import { openDatabase } from '../utils/crm-with-midaz';
import { organizationHeaders } from '../factories/organization';

const TOKEN = unverifiedJwt({ type: 'normal-user', owner: 'lerian', sub: 'auditor-ana' });
const ACTOR = { subject: 'lerian/auditor-ana', type: 'normal-user' };

/** Protected values sent in the requests below: none may reach the audit collection or the logs. */
const VALUES = {
  name: 'Beatriz Figueiredo Quintela',
  document: '390.533.447-05',
  email: 'beatriz.quintela@example.com',
  phone: '+55 11 98877-6655',
  mother: 'Helena Quintela Prado',
  branch: '7321',
  account: '99887-1',
  iban: 'BR15 0000 0000 0000 1093 2840 814P2',
  partyName: 'Rogerio Tavares Lins',
  partyDocument: '529.982.247-25',
  segment: 'private-banking-tier',
};

describe('audit trail', () => {
  const pluginAuth = new FakePluginAuth();
  const organizationId = randomUUID();
  let crm: TestApp;
  let connection: Connection;

  const send = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
    crm.request(path, {
      method,
      headers: { 'x-organization-id': organizationId, authorization: `Bearer ${TOKEN}`, ...headers },
      ...(json !== undefined ? { json } : {}),
    });
  const events = () => connection.db!.collection('audit_events').find({}).sort({ _id: 1 }).toArray();

  beforeAll(async () => {
    await pluginAuth.start();
    crm = await startTestApp(
      testEnv({ PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: pluginAuth.url, LOG_LEVEL: 'info' }),
    );
    connection = await openDatabase(crm);
  });
  afterAll(async () => {
    await connection.close();
    await crm.close();
    await pluginAuth.stop();
  });

  it('records every business route with actor, action, ids, outcome and field names, never a value', async () => {
    const holder = await send(
      'POST',
      '/v1/holders',
      {
        type: 'NATURAL_PERSON',
        name: VALUES.name,
        document: VALUES.document,
        contact: { primaryEmail: VALUES.email, mobilePhone: VALUES.phone },
        naturalPerson: { motherName: VALUES.mother },
        metadata: { segment: VALUES.segment },
      },
      { 'x-request-id': 'audit-req-1' },
    );
    expect(holder.status).toBe(201);
    const holderId: string = holder.body.id;
    expect(
      (
        await send('PATCH', `/v1/holders/${holderId}`, {
          contact: { mobilePhone: null },
          metadata: { segment: VALUES.segment },
        })
      ).status,
    ).toBe(200);
    expect((await send('GET', `/v1/holders/${holderId}`)).status).toBe(200);
    expect((await send('GET', '/v1/holders')).status).toBe(200);
    const alias = await send('POST', `/v1/holders/${holderId}/aliases`, {
      ledgerId: randomUUID(),
      accountId: randomUUID(),
      bankingDetails: { branch: VALUES.branch, account: VALUES.account, iban: VALUES.iban },
      relatedParties: [
        {
          document: VALUES.partyDocument,
          name: VALUES.partyName,
          role: 'LEGAL_REPRESENTATIVE',
          startDate: '2025-01-01',
        },
      ],
    });
    expect(alias.status).toBe(201);
    const aliasId: string = alias.body.id;
    const partyId: string = alias.body.relatedParties[0].id;
    expect((await send('GET', `/v1/holders/${holderId}/aliases/${aliasId}`)).status).toBe(200);
    expect(
      (await send('PATCH', `/v1/holders/${holderId}/aliases/${aliasId}`, { bankingDetails: { branch: VALUES.branch } }))
        .status,
    ).toBe(200);
    expect((await send('GET', '/v1/aliases')).status).toBe(200);
    expect((await send('DELETE', `/v1/holders/${holderId}/aliases/${aliasId}/related-parties/${partyId}`)).status).toBe(
      204,
    );
    expect((await send('DELETE', `/v1/holders/${holderId}/aliases/${aliasId}`)).status).toBe(204);
    expect((await send('DELETE', `/v1/holders/${holderId}`)).status).toBe(204);
    pluginAuth.answer(200, { authorized: false });
    expect((await send('GET', `/v1/holders/${holderId}`)).status).toBe(403);
    pluginAuth.answer(200, { authorized: true });
    expect((await send('GET', `/v1/holders/${holderId}`, undefined, { authorization: '' })).status).toBe(401);

    const stored = await eventually(events, (list) => list.length >= 13);
    const summary = stored.map((event) => ({
      action: event.action,
      outcome: event.outcome,
      actor: event.actor,
      organizationId: event.organizationId,
    }));
    const mine = { actor: ACTOR, organizationId };
    expect(summary).toEqual([
      { action: 'holders.post', outcome: 201, ...mine },
      { action: 'holders.patch', outcome: 200, ...mine },
      { action: 'holders.get', outcome: 200, ...mine },
      { action: 'holders.get', outcome: 200, ...mine },
      { action: 'aliases.post', outcome: 201, ...mine },
      { action: 'aliases.get', outcome: 200, ...mine },
      { action: 'aliases.patch', outcome: 200, ...mine },
      { action: 'aliases.get', outcome: 200, ...mine },
      { action: 'aliases.delete', outcome: 204, ...mine },
      { action: 'aliases.delete', outcome: 204, ...mine },
      { action: 'holders.delete', outcome: 204, ...mine },
      { action: 'holders.get', outcome: 403, ...mine }, // refused by plugin-auth's decision: still named
      {
        action: 'holders.get',
        outcome: 401,
        organizationId,
        actor: { subject: 'unauthenticated', type: 'unauthenticated' },
      },
    ]);
    const [created, patched, read, listed, aliasCreated, , aliasPatched, aliasesListed, partyRemoved] = stored;
    expect(created).toMatchObject({ resourceType: 'holders', resourceIds: [holderId], requestId: 'audit-req-1' });
    expect(created.fields.sort()).toEqual([
      'contact.mobilePhone',
      'contact.primaryEmail',
      'document',
      'metadata.segment',
      'name',
      'naturalPerson.motherName',
      'type',
    ]);
    expect(patched.fields.sort()).toEqual(['contact.mobilePhone', 'metadata.segment']);
    expect(read).toMatchObject({ resourceIds: [holderId] });
    expect(read.fields).toBeUndefined();
    expect(listed).toMatchObject({ count: 1, resourceIds: [holderId] });
    expect(aliasCreated).toMatchObject({
      resourceType: 'aliases',
      resourceIds: expect.arrayContaining([holderId, aliasId]),
    });
    expect(aliasCreated.fields.sort()).toEqual([
      'accountId',
      'bankingDetails.account',
      'bankingDetails.branch',
      'bankingDetails.iban',
      'ledgerId',
      'relatedParties',
    ]);
    expect(aliasPatched.fields).toEqual(['bankingDetails.branch']);
    expect(aliasesListed).toMatchObject({ count: 1, resourceIds: expect.arrayContaining([aliasId, holderId]) });
    expect(partyRemoved.resourceIds).toEqual([holderId, aliasId, partyId]);

    // Raw scan: the ids and names are there (positive control), no value in any form is.
    const raw = await rawCollectionText(connection, 'audit_events');
    expectNoPlaintext(raw, Object.values(VALUES), [holderId, 'naturalPerson.motherName']);
  });

  it('emits one structured log line per event, names only', async () => {
    expect(await crm.logs.waitFor((entry) => entry.audit?.action === 'holders.post')).toBe(true);
    const auditLines = crm.logs.lines.filter((line) => line.includes('"audit":'));
    expect(auditLines.length).toBeGreaterThanOrEqual(13);
    expect(JSON.parse(auditLines[0]).audit).toMatchObject({ action: 'holders.post', actor: ACTOR, outcome: 201 });
    expectNoPlaintext(crm.logs.text, Object.values(VALUES), ['holders.post']);
  });

  it('GET /v1/audit-events answers who read or changed a holder, cursor-paged, authorized as audit/get', async () => {
    const holderId = (await events())[0].resourceIds[0];
    pluginAuth.calls.length = 0;
    const all = await send('GET', `/v1/audit-events?resource_id=${holderId}&limit=100`);
    expect(all.status).toBe(200);
    expect(JSON.parse(pluginAuth.calls[0].body)).toEqual({
      action: 'get',
      product: 'plugin-crm',
      resource: 'audit',
      sub: 'lerian/auditor-ana',
    });
    expect(all.body.items.map((item: { action: string }) => item.action)).toEqual(
      expect.arrayContaining(['holders.post', 'holders.patch', 'aliases.post', 'aliases.delete', 'holders.delete']),
    );
    expect(all.body.items[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        time: expect.any(String),
        actor: ACTOR,
        resourceType: 'holders',
      }),
    );
    expect(all.body.items[0].organizationId).toBeUndefined();

    const first = await send('GET', `/v1/audit-events?resource_id=${holderId}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await send(
      'GET',
      `/v1/audit-events?resource_id=${holderId}&limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(
      all.body.items.slice(2, 4).map((item: { id: string }) => item.id),
    );

    const byActor = await send('GET', `/v1/audit-events?actor=${encodeURIComponent('lerian/auditor-ana')}&limit=100`);
    expect(byActor.body.items.length).toBeGreaterThanOrEqual(11);
    expect((await send('GET', '/v1/audit-events?actor=someone-else')).body.items).toEqual([]);
    const day = all.body.items[0].time.slice(0, 10); // the events' own day, not the clock's today
    expect((await send('GET', `/v1/audit-events?start_date=${day}&end_date=${day}&limit=1`)).body.items).toHaveLength(
      1,
    );
    expect((await send('GET', '/v1/audit-events?start_date=2020-01-01&end_date=2020-01-02')).body.items).toEqual([]);
  });

  it('another organization sees none of these events', async () => {
    const holderId = (await events())[0].resourceIds[0];
    // Control: its own organization does see them.
    expect((await send('GET', `/v1/audit-events?resource_id=${holderId}`)).body.items.length).toBeGreaterThan(0);
    // An id in upper case is the same id.
    expect(
      (await send('GET', `/v1/audit-events?resource_id=${holderId.toUpperCase()}`)).body.items.length,
    ).toBeGreaterThan(0);
    const other = await crm.request(`/v1/audit-events?resource_id=${holderId}`, {
      headers: organizationHeaders(randomUUID(), { authorization: TOKEN }),
    });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
  });

  it('concurrent requests: exactly one event each', async () => {
    const requestIds = Array.from({ length: 40 }, (_, index) => `burst-${index}`);
    const responses = await Promise.all(
      requestIds.map((requestId) => send('GET', '/v1/holders?limit=1', undefined, { 'x-request-id': requestId })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const burst = () =>
      connection
        .db!.collection('audit_events')
        .find({ requestId: { $in: requestIds } })
        .toArray();
    const stored = await eventually(burst, (list) => list.length >= requestIds.length);
    expect(stored.map((event) => event.requestId).sort()).toEqual([...requestIds].sort());
  });

  it('refuses bad filters with 400', async () => {
    expect((await send('GET', '/v1/audit-events?resource_id=nope')).status).toBe(400);
    expect((await send('GET', '/v1/audit-events?surprise=1')).status).toBe(400);
  });
});

describe('audit retention (AUDIT_RETENTION_DAYS)', () => {
  it('purges events past the retention at start, keeps recent ones, and creates the indexes', async () => {
    const env = testEnv({ AUDIT_RETENTION_DAYS: '30' });
    const connection = await mongoose.createConnection(env.MONGO_URI!, { dbName: env.MONGO_NAME }).asPromise();
    const event = (id: string, daysAgo: number) => ({
      _id: id,
      time: new Date(Date.now() - daysAgo * 86_400_000),
      organizationId: randomUUID(),
      actor: { subject: 'anonymous', type: 'anonymous' },
      action: 'holders.get',
      resourceType: 'holders',
      resourceIds: [],
      outcome: 200,
      requestId: id,
    });
    await connection
      .db!.collection('audit_events')
      .insertMany([event('old-event', 45), event('recent-event', 5)] as never[]);
    const crm = await startTestApp(env);
    try {
      const remaining = await eventually(
        () => connection.db!.collection('audit_events').find({}).toArray(),
        (list) => list.length === 1,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(remaining.map((stored) => stored._id)).toEqual(['recent-event']);
      const indexes = await connection.db!.collection('audit_events').indexes();
      expect(indexes.map((index) => index.key)).toEqual(
        expect.arrayContaining([
          { organizationId: 1, resourceIds: 1, time: 1 },
          { organizationId: 1, time: 1 },
        ]),
      );
      expect(indexes.filter((index) => index.expireAfterSeconds !== undefined)).toEqual([]); // retention is the service's, no TTL index
    } finally {
      await connection.close();
      await crm.close();
    }
  });
});
