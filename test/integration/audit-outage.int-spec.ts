import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { TcpProxy } from '../utils/tcp-proxy';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { eventually } from '../utils/eventually';
import { organizationHeaders } from '../factories/organization';

const QUEUE_SIZE = 3;

/**
 * The database goes away while requests keep coming. The requests used here fail validation (a bad
 * path UUID: 400 without touching the database), so what is observed is the audit trail alone.
 */
describe.each(['required', 'best-effort', 'off'] as const)('audit during a database outage, AUDIT_MODE=%s', (mode) => {
  let proxy: TcpProxy;
  let crm: TestApp;
  const organizationId = randomUUID();
  const badRead = () => crm.request('/v1/holders/not-a-uuid', { headers: organizationHeaders(organizationId) });

  async function storedEvents(): Promise<number> {
    const connection = await mongoose
      .createConnection(process.env.MONGO_URI!, { dbName: crm.config.mongo.dbName })
      .asPromise();
    try {
      return await connection.db!.collection('audit_events').countDocuments({ organizationId });
    } finally {
      await connection.close();
    }
  }

  const eventuallyStored = (expected: number): Promise<number> =>
    eventually(storedEvents, (count) => count >= expected, { timeoutMs: 30_000, intervalMs: 200 });

  beforeAll(async () => {
    proxy = TcpProxy.forMongoUri(process.env.MONGO_URI!);
    await proxy.start();
    crm = await startTestApp(
      testEnv({
        MONGO_URI: proxy.uriFor(process.env.MONGO_URI!),
        AUDIT_MODE: mode,
        AUDIT_QUEUE_SIZE: String(QUEUE_SIZE),
        AUDIT_WAIT_MS: '2000',
      }),
    );
  });
  afterAll(async () => {
    await crm.close();
    await proxy.stop();
  });

  it('writes normally while the database is up (off: writes nothing, though the database takes writes)', async () => {
    expect((await badRead()).status).toBe(400);
    if (mode === 'off') {
      const created = await crm.request('/v1/holders', {
        method: 'POST',
        headers: organizationHeaders(organizationId),
        json: { type: 'NATURAL_PERSON', name: 'Ana', document: '39053344705' },
      });
      expect(created.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const expected = mode === 'off' ? 0 : 1;
    expect(await eventuallyStored(expected)).toBe(expected);
  });

  it('required: an answer leaves only once its event is stored (best-effort: it never waits)', async () => {
    const before = await storedEvents();
    proxy.pause();
    const pending = badRead();
    const early = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 600)),
    ]);
    proxy.resume();
    const response = await pending;
    if (mode === 'required') {
      expect([early, response.status]).toEqual(['waiting', 400]);
      expect(await storedEvents()).toBe(before + 1); // at the moment of the answer, not eventually
    } else {
      expect([early, response.status]).toEqual(['answered', 400]);
    }
  });

  it('keeps answering while the audit queue has room, then follows its mode; nothing queued is lost', async () => {
    const before = await storedEvents();
    await proxy.cut();
    const statuses: number[] = [];
    for (let index = 0; index < QUEUE_SIZE + 2; index++) statuses.push((await badRead()).status);
    const refused = await badRead();
    if (mode === 'required') {
      // Fails closed: no answer leaves before its event is stored, so while the database is away each
      // request is answered 503 once its wait is over; past the queue's bound, at once.
      expect(statuses).toEqual([503, 503, 503, 503, 503]);
      expect(refused.body).toMatchObject({ code: 'CRM-0044', requestId: expect.any(String) });
    } else {
      expect([...statuses, refused.status]).toEqual([400, 400, 400, 400, 400, 400]);
    }
    await proxy.restore();
    const expected = mode === 'off' ? 0 : before + QUEUE_SIZE;
    if (mode === 'off') await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await eventuallyStored(expected)).toBe(expected);
    if (mode === 'required') {
      // The queue drained: requests are served (and audited) again.
      expect((await badRead()).status).toBe(400);
      expect(await eventuallyStored(expected + 1)).toBe(expected + 1);
    }
  });
});
