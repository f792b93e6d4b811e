import mongoose from 'mongoose';
import type { ChangeEvent } from '@crm/events';
import { ChangeEvents } from '../../apps/crm/src/events/change-events';
import { OutboxRelay } from '../../apps/crm/src/events/outbox-relay';
import { OutboxSources } from '../../apps/crm/src/events/outbox-sources';
import { cpf } from '../factories/documents';
import { organizationHeaders } from '../factories/organization';
import { startTestApp, TestApp, testEnv } from '../utils/test-app';

/**
 * The outbox's steps put in a chosen order, one at a time, against the real database: the relay's loop is
 * stopped and its passes run by hand, and its publisher records what it is given instead of sending it.
 */
describe('change events: the outbox under chosen interleavings', () => {
  let crm: TestApp;
  let relay: OutboxRelay;
  let published: ChangeEvent[];
  let raw: mongoose.Connection;
  const headers = organizationHeaders();

  beforeAll(async () => {
    crm = await startTestApp(
      testEnv({ STREAMING_ENABLED: 'true', STREAMING_BROKERS: '127.0.0.1:1', STREAMING_CREATE_TOPICS: 'false' }),
    );
    relay = crm.app.get(OutboxRelay);
    await relay.onApplicationShutdown(); // no background passes: the test takes them
    relay['running'] = true; // (a pass stops early once the relay is shutting down)
    raw = await mongoose.createConnection(crm.config.mongo.uri, { dbName: crm.config.mongo.dbName }).asPromise();
  });

  beforeEach(() => {
    published = [];
    jest.spyOn(relay['publisher'], 'publish').mockImplementation((events: ChangeEvent[]) => {
      published.push(...events);
      return Promise.resolve();
    });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await raw?.close();
    await crm?.close();
  });

  const relayPass = () => relay['publishPending']();
  const source = (name: string) =>
    crm.app
      .get(OutboxSources)
      .all()
      .find((found) => found.name === name)!;
  const stored = (id: string) => raw.db!.collection('holders').findOne({ _id: id as never });
  const createHolder = async (externalId: string) => {
    const created = await crm.request('/v1/holders', {
      method: 'POST',
      headers,
      json: { type: 'NATURAL_PERSON', name: 'Ana Lima', document: cpf(), externalId },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const eventIdsOf = async (id: string) => ((await stored(id))?.outbox ?? []).map((event: ChangeEvent) => event.id);

  it('an acknowledgement read before a later change removes only what it published: the new event stays', async () => {
    const id = await createHolder('EXT-READ');
    const [created] = await eventIdsOf(id);
    // The relay reads the record's events (the creation)…
    const [batch] = (await source('holders').pending(100)).filter((found) => found.events[0]?.subject === id);
    // …a PATCH stores its event beside them…
    expect(
      (await crm.request(`/v1/holders/${id}`, { method: 'PATCH', headers, json: { externalId: 'EXT-NEW' } })).status,
    ).toBe(200);
    const [, updated] = await eventIdsOf(id);
    expect(updated).toBeDefined();
    // …then the relay acknowledges what it read.
    expect(await batch.acknowledge()).toBe(true);
    expect(await eventIdsOf(id)).toEqual([updated]);
    expect(created).not.toBe(updated);
    // The next pass publishes the PATCH's event: nothing lost, nothing twice.
    await relayPass();
    expect(published.filter((event) => event.subject === id).map((event) => event.id)).toEqual([updated]);
  });

  it('a hard delete stopped after handing its events off, then finished by the relay, stores and publishes each event once', async () => {
    const id = await createHolder('EXT-ERASE');
    // The request hands the record's events off, then "dies" before removing the record.
    const removeRecord = jest
      .spyOn(Object.getPrototypeOf(raw.db!.collection('holders')), 'deleteOne')
      .mockRejectedValueOnce(new Error('process died here'));
    const erased = await crm.request(`/v1/holders/${id}?hard_delete=true`, { method: 'DELETE', headers });
    expect(erased.status).toBe(500);
    removeRecord.mockRestore();
    expect((await stored(id))?.erasing).toBe(true);
    // The relay finds the marked record, hands its events off again (stored once) and removes it.
    await relayPass();
    expect(await stored(id)).toBeNull();
    await relayPass();
    const mine = published.filter((event) => event.subject === id);
    expect(mine.map((event) => event.event)).toEqual(['created', 'deleted']);
    expect(JSON.parse(mine[1].data).deletionType).toBe('hard');
    expect(await raw.db!.collection('change_events').countDocuments({ 'event.subject': id })).toBe(0);
  });

  it('two relays finishing the same hard delete at once store its events once', async () => {
    const id = await createHolder('EXT-TWICE');
    const handOff = crm.app.get(ChangeEvents).handOff;
    const events = (await stored(id))!.outbox as ChangeEvent[];
    await Promise.all([handOff(events), handOff(events), handOff(events)]);
    expect(await raw.db!.collection('change_events').countDocuments({ 'event.subject': id })).toBe(events.length);
    // The presence counterpart: a pass publishes them (and the record's own copy), then removes the handed-off ones.
    await relayPass();
    expect(published.filter((event) => event.subject === id).length).toBeGreaterThanOrEqual(events.length);
    expect(await raw.db!.collection('change_events').countDocuments({ 'event.subject': id })).toBe(0);
  });

  it('an acknowledgement that removes nothing from a record still there says so (the relay pauses, never loops)', async () => {
    const id = await createHolder('EXT-ALTERED');
    const [batch] = (await source('holders').pending(100)).filter((found) => found.events[0]?.subject === id);
    await raw.db!.collection('holders').updateOne({ _id: id as never }, { $set: { 'outbox.0.time': 'altered' } });
    expect(await batch.acknowledge()).toBe(false);
    expect(await eventIdsOf(id)).toHaveLength(1);
  });
});
