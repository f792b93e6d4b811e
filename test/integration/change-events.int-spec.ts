import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { ALL_TOPICS } from '@crm/events';
import { cpf } from '../factories/documents';
import { newOrganizationId, organizationHeaders } from '../factories/organization';
import { eventually, waitUntil } from '../utils/eventually';
import { EventReader, KafkaBroker, ReadEvent } from '../utils/kafka-broker';
import { startTestApp, TestApp, testEnv } from '../utils/test-app';
import { ChangeEvents } from '../../apps/crm/src/events/change-events';
import { freePort } from '../utils/ports';

// The original's messages and the requests that made them, captured on a real broker (see the fixture's README).
const FIXTURE = join(__dirname, '../fixtures/lerian-crm-v3.8.0/events');
const readLines = (file: string) =>
  readFileSync(join(FIXTURE, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
const captured = readLines('captured.jsonl');
const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'apps/crm/src/main.ts');
const requests = readLines('requests.jsonl');

/** The one request of the original's flow this service answers differently (404: a soft-deleted holder is not patched). */
const LISTED_DIFFERENCE = 'patch soft-deleted holder';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const STATIC_HEADERS = [
  'ce-specversion',
  'ce-source',
  'ce-type',
  'ce-schemaversion',
  'ce-resourcetype',
  'ce-eventtype',
  'ce-datacontenttype',
  'ce-tenantid',
];

let broker: KafkaBroker;
let reader: EventReader;

beforeAll(async () => {
  broker = await KafkaBroker.start();
}, 120_000);

afterAll(async () => {
  await reader?.close().catch(() => undefined);
  await broker?.stop();
});

const streamingEnv = (overrides: Record<string, string> = {}) =>
  testEnv({ STREAMING_ENABLED: 'true', STREAMING_BROKERS: broker.brokers, ...overrides });

const holderBody = (extra: Record<string, unknown> = {}) => ({
  type: 'NATURAL_PERSON',
  name: 'Maria Quiteria',
  document: cpf(),
  contact: { primaryEmail: 'maria.quiteria@example.com', mobilePhone: '+5511988887777' },
  naturalPerson: { motherName: 'Joana Quiteria', birthDate: '1991-02-03' },
  addresses: {
    primary: { line1: 'Rua Secreta 42', zipCode: '01001-000', city: 'Sao Paulo', state: 'SP', country: 'BR' },
  },
  ...extra,
});

describe('change events on Kafka', () => {
  let crm: TestApp;

  beforeAll(async () => {
    crm = await startTestApp(streamingEnv());
    // The service creates the topics it lacks, where the original loses their events.
    const created = async () => {
      const topics = await broker.topics();
      return ALL_TOPICS.every((topic) => topics.includes(topic));
    };
    expect(await waitUntil(created, { timeoutMs: 30_000, intervalMs: 250 })).toBe(true);
    reader = await broker.reader();
  }, 60_000);

  afterAll(async () => {
    await crm?.close();
  });

  it('publishes what the original publishes for its captured flow: topics, key, headers, payload fields', async () => {
    const organization = newOrganizationId();
    const ids = new Map<string, string>([['0193f1a2-0000-7000-8000-00000000c0de', organization]]);
    const ours = (value: string) => ids.get(value) ?? value;
    const pathOf = (path: string) =>
      path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ours);
    const learn = (theirs: any, mine: any) => {
      if (!theirs || !mine || typeof theirs !== 'object') return;
      if (typeof theirs.id === 'string' && typeof mine.id === 'string') ids.set(theirs.id, mine.id);
      (theirs.relatedParties ?? []).forEach((party: any, index: number) => learn(party, mine.relatedParties?.[index]));
    };
    const flow = requests.filter((entry) => entry.phase === 'flow' && entry.step !== LISTED_DIFFERENCE);
    for (const { request, response } of flow) {
      const answer = await crm.request(pathOf(request.path), {
        method: request.method,
        headers: organizationHeaders(organization),
        json: request.body ?? undefined,
      });
      expect([request.path, answer.status]).toEqual([request.path, response.status]);
      learn(response.body, answer.body);
    }
    const expected = captured.filter(
      (message) => message.request_step.startsWith('flow: ') && message.request_step !== `flow: ${LISTED_DIFFERENCE}`,
    );
    // At least once: a redelivery carries the same ce-id, and consumers drop it as this one does.
    const distinct = () => [
      ...new Map(
        reader.events
          .filter((event) => event.json.organizationId === organization)
          .map((event) => [reader.header(event, 'ce-id'), event]),
      ).values(),
    ];
    const mine = await eventually(distinct, (found) => found.length >= expected.length, { timeoutMs: 30_000 });
    // Kafka orders each topic's partition, not messages across topics: a record's events are compared in the
    // order of their changes (ce-time), as a consumer of several topics orders them.
    const subjectOf = (headers: Array<[string, string]>) => headers.find(([name]) => name === 'ce-subject')![1];
    const bySubject = <T>(items: T[], subject: (item: T) => string) => Map.groupBy<string, T>(items, subject);
    const theirs = bySubject(expected as Array<{ topic: string; headers: Array<[string, string]> }>, (message) =>
      ours(subjectOf(message.headers)),
    );
    const changedAt = (event: ReadEvent) => Date.parse(reader.header(event, 'ce-time')!);
    const ourEvents = bySubject(
      [...mine].sort((a, b) => changedAt(a) - changedAt(b)),
      (event) => subjectOf(event.headers),
    );
    const topicsOf = (groups: Map<string, Array<{ topic: string }>>) =>
      Object.fromEntries([...groups].map(([subject, items]) => [subject, items.map((item) => item.topic)]));
    expect(topicsOf(ourEvents)).toEqual(topicsOf(theirs));
    for (const [subject, messages] of theirs)
      messages.forEach((message, index) => compareWithOriginal(ourEvents.get(subject)![index], message, ours));
  });

  it('never carries personal data: no value a request wrote appears in any message', async () => {
    const headers = organizationHeaders();
    const body = holderBody({ externalId: 'EXT-PRIVACY' });
    const created = await crm.request('/v1/holders', { method: 'POST', headers, json: body });
    expect(created.status).toBe(201);
    const party = {
      document: cpf(),
      name: 'Parte Privada Souza',
      role: 'LEGAL_REPRESENTATIVE',
      startDate: '2025-01-02',
    };
    const banking = { branch: '0001', account: '77766-5', iban: 'GB29NWBK60161331926819', type: 'CACC' };
    const participant = cpf();
    const alias = await crm.request(`/v1/holders/${created.body.id}/aliases`, {
      method: 'POST',
      headers,
      json: {
        ledgerId: randomUUID(),
        accountId: randomUUID(),
        bankingDetails: banking,
        regulatoryFields: { participantDocument: participant },
        relatedParties: [party],
      },
    });
    expect(alias.status).toBe(201);
    const aliasPath = `/v1/holders/${created.body.id}/aliases/${alias.body.id}`;
    const added = { ...party, document: cpf(), name: 'Outra Parte Privada' };
    expect((await crm.request(aliasPath, { method: 'PATCH', headers, json: { relatedParties: [added] } })).status).toBe(
      200,
    );
    const partyId = alias.body.relatedParties[0].id as string;
    expect((await crm.request(`${aliasPath}/related-parties/${partyId}`, { method: 'DELETE', headers })).status).toBe(
      204,
    );
    // The presence counterpart: the events are there, with the non-personal fields they should carry.
    const events = await reader.waitFor(
      (found) => [created.body.id, alias.body.id].includes(found.json.id ?? found.json.aliasId),
      4,
    );
    expect(events.find((found) => found.json.id === created.body.id)?.json.externalId).toBe('EXT-PRIVACY');
    expect(events.find((found) => found.topic.endsWith('related_party_deleted'))?.json.relatedPartyId).toBe(partyId);
    const personal = [
      body.name,
      body.document,
      body.contact.primaryEmail,
      body.contact.mobilePhone,
      body.naturalPerson.motherName,
      body.naturalPerson.birthDate,
      body.addresses.primary.line1,
      party.document,
      party.name,
      added.document,
      added.name,
      banking.account,
      banking.iban,
      participant,
    ];
    const everything = reader.events.map((found) => `${found.key} ${found.value} ${JSON.stringify(found.headers)}`);
    for (const value of personal)
      expect([value, everything.filter((text) => text.includes(value))]).toEqual([value, []]);
  });

  it('publishes nothing for a change that did not happen (refused, conflicting, not found)', async () => {
    const headers = organizationHeaders();
    const first = await crm.request('/v1/holders', {
      method: 'POST',
      headers,
      json: holderBody({ externalId: 'EXT-FIRST' }),
    });
    const refused = [
      await crm.request('/v1/holders', {
        method: 'POST',
        headers,
        json: { ...holderBody(), document: first.body.document },
      }),
      await crm.request('/v1/holders', { method: 'POST', headers, json: { type: 'NATURAL_PERSON', name: 'x' } }),
      await crm.request('/v1/holders/0193f1a2-9999-7000-8000-000000000009', {
        method: 'PATCH',
        headers,
        json: { name: 'y' },
      }),
      await crm.request('/v1/holders/0193f1a2-9999-7000-8000-000000000009', { method: 'DELETE', headers }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([409, 400, 404, 404]);
    // A later change of the organization is published: every event before it has arrived too.
    const last = await crm.request('/v1/holders', {
      method: 'POST',
      headers,
      json: holderBody({ externalId: 'EXT-LAST' }),
    });
    await reader.waitFor((event) => event.json.id === last.body.id);
    const ofOrganization = reader.events.filter((event) => event.json.organizationId === headers['x-organization-id']);
    expect(ofOrganization.map((event) => [event.topic, event.json.externalId])).toEqual([
      ['lerian.streaming.crm_holder.created', 'EXT-FIRST'],
      ['lerian.streaming.crm_holder.created', 'EXT-LAST'],
    ]);
  });

  it("keeps a record's events in the order of its changes across a burst of PATCHes", async () => {
    const headers = organizationHeaders();
    const created = await crm.request('/v1/holders', { method: 'POST', headers, json: holderBody() });
    const sent = Array.from({ length: 12 }, (_, index) => `ORDER-${index + 1}`);
    for (const externalId of sent) {
      const answer = await crm.request(`/v1/holders/${created.body.id}`, {
        method: 'PATCH',
        headers,
        json: { externalId },
      });
      expect(answer.status).toBe(200);
    }
    const updates = await reader.waitFor(
      (event) => event.json.id === created.body.id && event.topic.endsWith('holder.updated'),
      sent.length,
    );
    expect(updates.map((event) => event.json.externalId)).toEqual(sent);
    const times = updates.map((event) => Date.parse(reader.header(event, 'ce-time')!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('loses nothing while the broker is down, never slows a request for it, and says so on /readyz', async () => {
    const headers = organizationHeaders();
    const doomed = await crm.request('/v1/holders', {
      method: 'POST',
      headers,
      json: holderBody({ externalId: 'EXT-DOOMED' }),
    });
    await reader.waitFor((event) => event.json.id === doomed.body.id);
    await broker.proxy.cut();
    try {
      const started = Date.now();
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          crm.request('/v1/holders', {
            method: 'POST',
            headers,
            json: holderBody({ externalId: `EXT-DOWN-${index}` }),
          }),
        ),
      );
      const erased = await crm.request(`/v1/holders/${doomed.body.id}?hard_delete=true`, { method: 'DELETE', headers });
      expect(burst.map((answer) => answer.status)).toEqual(Array(10).fill(201));
      expect(erased.status).toBe(204);
      expect(Date.now() - started).toBeLessThan(3000);
      const degraded = await waitUntil(
        async () => (await crm.request('/readyz')).body?.info?.events?.status === 'degraded',
        { timeoutMs: 20_000 },
      );
      const readiness = await crm.request('/readyz');
      expect([degraded, readiness.status]).toEqual([true, 200]);
      expect(readiness.body.info.events.backlog).toBeGreaterThanOrEqual(11);
      expect(reader.events.filter((event) => String(event.json.externalId).startsWith('EXT-DOWN-'))).toEqual([]);
    } finally {
      await broker.proxy.restore();
    }
    const delivered = await reader.waitFor(
      (event) => String(event.json.externalId).startsWith('EXT-DOWN-') || event.json.id === doomed.body.id,
      12,
      60_000,
    );
    expect(new Set(delivered.map((event) => event.json.externalId ?? event.json.deletionType))).toEqual(
      new Set([...Array.from({ length: 10 }, (_, index) => `EXT-DOWN-${index}`), 'EXT-DOOMED', 'hard']),
    );
    expect(await waitUntil(async () => (await crm.request('/readyz')).body?.info?.events?.status === 'up')).toBe(true);
  }, 120_000);

  it('publishes from one replica at a time: two services on one database deliver every event once', async () => {
    const replica = await startTestApp({
      ...streamingEnv(),
      MONGO_NAME: crm.config.mongo.dbName,
      LCRYPTO_ENCRYPT_SECRET_KEY: crm.config.crypto.encryptKey,
      LCRYPTO_HASH_SECRET_KEY: crm.config.crypto.hashKey,
    });
    try {
      const roles = async () =>
        (await Promise.all([crm, replica].map((app) => app.request('/readyz')))).map(
          (answer) => answer.body?.info?.events?.relay as string,
        );
      expect(await waitUntil(async () => (await roles()).includes('standby'), { timeoutMs: 20_000 })).toBe(true);
      expect((await roles()).sort()).toEqual(['leader', 'standby']);
      const headers = organizationHeaders();
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 ? crm : replica).request('/v1/holders', {
            method: 'POST',
            headers,
            json: holderBody({ externalId: `EXT-REPLICA-${index}` }),
          }),
        ),
      );
      const ids = created.map((answer) => answer.body.id as string);
      const delivered = await reader.waitFor((event) => ids.includes(event.json.id as string), 10);
      expect(delivered.map((event) => event.json.id).sort()).toEqual([...ids].sort());
      // Nothing more arrives for them: each was published once.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(reader.events.filter((event) => ids.includes(event.json.id as string))).toHaveLength(10);
    } finally {
      await replica.close({ keepDatabase: true });
    }
  }, 60_000);

  it("announces the erasure of a hard-deleted holder's aliases, each with its own event, before the holder's", async () => {
    const headers = organizationHeaders();
    const holder = await crm.request('/v1/holders', { method: 'POST', headers, json: holderBody() });
    const alias = await crm.request(`/v1/holders/${holder.body.id}/aliases`, {
      method: 'POST',
      headers,
      json: { ledgerId: randomUUID(), accountId: randomUUID() },
    });
    expect(alias.status).toBe(201);
    const aliasPath = `/v1/holders/${holder.body.id}/aliases/${alias.body.id}`;
    expect((await crm.request(aliasPath, { method: 'DELETE', headers })).status).toBe(204);
    expect(
      (await crm.request(`/v1/holders/${holder.body.id}?hard_delete=true`, { method: 'DELETE', headers })).status,
    ).toBe(204);
    // At least once: the soft delete's event may come twice (from the alias and from its hand-off), with one ce-id.
    const distinct = () => [
      ...new Map(
        reader.events
          .filter(
            (event) => event.topic.endsWith('.deleted') && [holder.body.id, alias.body.id].includes(event.json.id),
          )
          .map((event) => [reader.header(event, 'ce-id'), event]),
      ).values(),
    ];
    const deletions = await eventually(distinct, (found) => found.length >= 3, { timeoutMs: 30_000 });
    const changedAt = (event: ReadEvent) => Date.parse(reader.header(event, 'ce-time')!);
    expect(
      [...deletions].sort((a, b) => changedAt(a) - changedAt(b)).map((event) => [event.topic, event.json.deletionType]),
    ).toEqual([
      ['lerian.streaming.crm_alias.deleted', 'soft'],
      ['lerian.streaming.crm_alias.deleted', 'hard'],
      ['lerian.streaming.crm_holder.deleted', 'hard'],
    ]);
  });

  it('finishes a hard delete that stopped after its decision: the event is published, the record gone', async () => {
    const headers = organizationHeaders();
    const created = await crm.request('/v1/holders', { method: 'POST', headers, json: holderBody() });
    await reader.waitFor((event) => event.json.id === created.body.id);
    // The process "dies" after the write that decides the hard delete, before handing its events off.
    // Every hand-off fails until the request has answered: the relay may meet the marked record first,
    // and a single failure it consumed would let the request finish the delete itself.
    const handOff = jest.spyOn(crm.app.get(ChangeEvents), 'handOff').mockRejectedValue(new Error('process died here'));
    let erased: Awaited<ReturnType<TestApp['request']>>;
    let leftMarked: unknown;
    try {
      erased = await crm.request(`/v1/holders/${created.body.id}?hard_delete=true`, { method: 'DELETE', headers });
      leftMarked = await storedHolder(crm, created.body.id);
    } finally {
      handOff.mockRestore();
    }
    expect(erased.status).toBe(500);
    expect(leftMarked).toMatchObject({ erasing: true });
    const [deleted] = await reader.waitFor(
      (event) => event.json.id === created.body.id && event.topic.endsWith('holder.deleted'),
    );
    expect(deleted?.json.deletionType).toBe('hard');
    expect(await waitUntil(async () => (await storedHolder(crm, created.body.id)) === null)).toBe(true);
    const again = await crm.request(`/v1/holders/${created.body.id}?include_deleted=true`, { headers });
    expect(again.status).toBe(404);
  });

  it('delivers what a killed (kill -9) process wrote but never published, once another starts', async () => {
    const env = streamingEnv({ SERVER_PORT: String(await freePort()) });
    await broker.proxy.cut();
    const service = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => service.on('exit', resolve));
    const base = `http://127.0.0.1:${env.SERVER_PORT}`;
    const headers = { ...organizationHeaders(), 'content-type': 'application/json' };
    let successor: TestApp | undefined;
    try {
      expect(
        await waitUntil(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok === true, {
          timeoutMs: 30_000,
        }),
      ).toBe(true);
      const written: string[] = [];
      for (let index = 0; index < 5; index++) {
        const answer = await fetch(`${base}/v1/holders`, {
          method: 'POST',
          headers,
          body: JSON.stringify(holderBody({ externalId: `EXT-KILLED-${index}` })),
        });
        expect(answer.status).toBe(201);
        written.push(((await answer.json()) as { id: string }).id);
      }
      service.kill('SIGKILL');
      await exited;
      await broker.proxy.restore();
      expect(reader.events.filter((event) => written.includes(event.json.id as string))).toEqual([]);
      successor = await startTestApp({ ...env, SERVER_PORT: undefined });
      // The killed process's relay lease expires first (it cannot release it): up to 15 s.
      const delivered = await reader.waitFor((event) => written.includes(event.json.id as string), 5, 45_000);
      expect(delivered.map((event) => event.json.externalId).sort()).toEqual(
        written.map((_, index) => `EXT-KILLED-${index}`),
      );
    } finally {
      service.kill('SIGKILL');
      await broker.proxy.restore();
      await successor?.close();
    }
  }, 150_000);
});

/** The same message as the original's, ids and times aside. */
function compareWithOriginal(mine: ReadEvent, theirs: Record<string, any>, ours: (id: string) => string): void {
  expect(mine.key).toBe(theirs.key);
  expect(mine.headers.map(([name]) => name)).toEqual(theirs.headers.map(([name]: [string]) => name));
  const header = (name: string) => mine.headers.find(([key]) => key === name)?.[1];
  for (const name of STATIC_HEADERS) expect([name, header(name)]).toEqual([name, theirs.headers_map[name]]);
  expect(header('ce-id')).toMatch(UUID_V7);
  expect(header('ce-subject')).toBe(ours(theirs.headers_map['ce-subject']));
  expect(Number.isNaN(Date.parse(header('ce-time')!))).toBe(false);
  expect(header('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const expected = theirs.value_json as Record<string, unknown>;
  expect(Object.keys(mine.json)).toEqual(Object.keys(expected));
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'string' && WHOLE_SECONDS.test(value)) expect(mine.json[key]).toMatch(WHOLE_SECONDS);
    else if (key === 'relatedParties' && Array.isArray(value))
      expect(mine.json[key]).toEqual(value.map((party) => ({ ...party, relatedPartyId: ours(party.relatedPartyId) })));
    else expect([key, mine.json[key]]).toEqual([key, typeof value === 'string' ? ours(value) : value]);
  }
}

/** The holder as stored, or null once it is gone (read through the driver: nothing is decrypted). */
async function storedHolder(crm: TestApp, id: string): Promise<unknown> {
  const connection = await mongoose
    .createConnection(crm.config.mongo.uri, { dbName: crm.config.mongo.dbName })
    .asPromise();
  try {
    return await connection.db!.collection('holders').findOne({ _id: id as never });
  } finally {
    await connection.close();
  }
}
