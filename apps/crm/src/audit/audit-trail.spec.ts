import type { AppConfig } from '@crm/config';
import type { AuditEvent } from './audit-event.schema';
import type { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';

/** The writer's database, in memory: what was appended, batch by batch. */
class AppendedEvents {
  readonly batches: AuditEvent[][] = [];
  /** When set, the next append waits for it (a database that pauses) or fails with it. */
  hold?: Promise<void>;
  async append(events: AuditEvent[]): Promise<void> {
    if (this.hold) await this.hold;
    this.batches.push([...events]);
  }
}

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
const requestIds = (batch: AuditEvent[]) => batch.map((e) => e.requestId);
const event = (requestId: string) => ({ _id: requestId, requestId }) as unknown as AuditEvent;

function trail(mode: 'required' | 'best-effort', queueSize: number) {
  const written = new AppendedEvents();
  const config = { audit: { mode, queueSize, waitMs: 1000, retentionDays: 0 } } as AppConfig;
  return { trail: new AuditTrail(config, written as unknown as AuditRepository), written };
}

describe('AuditTrail', () => {
  it('queues the event of a request whose caller hung up (slot released), even when the queue is full', async () => {
    const { trail: audit, written } = trail('required', 1);
    const slot = audit.reserve()!;
    expect(slot).toBeDefined();
    expect(audit.reserve()).toBeUndefined(); // the queue's one place is taken
    audit.release(slot); // the caller went away while the request ran
    expect(audit.reserve()).toBeDefined(); // its place went to another request…
    expect(await audit.record(event('gone'), slot)).toBe(true); // …yet what the first request did is audited
    await audit.onModuleDestroy();
    expect(written.batches.flat().map((e) => e.requestId)).toEqual(['gone']);
  });

  it('drops a best-effort event without a slot when the queue is full, and queues it when there is room', async () => {
    const { trail: audit, written } = trail('best-effort', 1);
    expect(audit.reserve()).toBeDefined();
    expect(await audit.record(event('no-room'), undefined)).toBe(false);
    const roomy = trail('best-effort', 2);
    expect(roomy.trail.reserve()).toBeDefined();
    expect(await roomy.trail.record(event('room'), undefined)).toBe(true);
    await Promise.all([audit.onModuleDestroy(), roomy.trail.onModuleDestroy()]);
    expect(written.batches).toEqual([]);
    expect(roomy.written.batches.flat().map((e) => e.requestId)).toEqual(['room']);
  });

  it('writes the events of a quiet trail at the end of the turn that recorded them, together', async () => {
    const { trail: audit, written } = trail('best-effort', 100);
    for (const id of ['a', 'b']) void audit.record(event(id), audit.reserve());
    expect(written.batches).toEqual([]); // not within the request's own handling…
    await endOfTurn();
    expect(written.batches.map(requestIds)).toEqual([['a', 'b']]); // …but in the same wake-up, as one batch
    await audit.onModuleDestroy();
  });

  it('makes the events of a busy trail (a write began within the linger) wait for company', async () => {
    jest.useFakeTimers(); // setImmediate, setTimeout and performance.now alike
    try {
      const { trail: audit, written } = trail('best-effort', 100);
      void audit.record(event('first'), audit.reserve());
      await jest.advanceTimersByTimeAsync(0);
      expect(written.batches.map(requestIds)).toEqual([['first']]);
      for (const id of ['c', 'd']) void audit.record(event(id), audit.reserve());
      await jest.advanceTimersByTimeAsync(99);
      expect(written.batches.map(requestIds)).toEqual([['first']]); // c and d wait…
      await jest.advanceTimersByTimeAsync(1);
      expect(written.batches.map(requestIds)).toEqual([['first'], ['c', 'd']]); // …and go together
      await audit.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });

  describe('required: group commit', () => {
    it('resolves only once the batch holding the event is stored', async () => {
      const { trail: audit, written } = trail('required', 100);
      let release!: () => void;
      written.hold = new Promise((resolve) => (release = resolve));
      let stored: boolean | undefined;
      void audit.record(event('a'), audit.reserve()).then((result) => (stored = result));
      await endOfTurn();
      await endOfTurn();
      expect([stored, written.batches]).toEqual([undefined, []]); // the database holds the batch: no answer
      release();
      await endOfTurn();
      expect([stored, written.batches.map(requestIds)]).toEqual([true, [['a']]]);
      await audit.onModuleDestroy();
    });

    it('sends what queued during a write as the next batch, without lingering', async () => {
      const { trail: audit, written } = trail('required', 100);
      let release!: () => void;
      written.hold = new Promise((resolve) => (release = resolve));
      const first = audit.record(event('a'), audit.reserve());
      await endOfTurn();
      const later = ['b', 'c'].map((id) => audit.record(event(id), audit.reserve()));
      written.hold = undefined;
      release();
      expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
      expect(written.batches.map(requestIds)).toEqual([['a'], ['b', 'c']]);
      await audit.onModuleDestroy();
    });

    it('answers false when the event is not stored in time, and still writes it later', async () => {
      jest.useFakeTimers();
      try {
        const { trail: audit, written } = trail('required', 100);
        let release!: () => void;
        written.hold = new Promise((resolve) => (release = resolve));
        const stored = audit.record(event('late'), audit.reserve());
        await jest.advanceTimersByTimeAsync(1000);
        expect(await stored).toBe(false);
        release();
        await jest.advanceTimersByTimeAsync(0);
        expect(written.batches.map(requestIds)).toEqual([['late']]);
        await audit.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });

    it('answers false at once when its batch fails, and writes it on a retry', async () => {
      jest.useFakeTimers();
      try {
        const { trail: audit, written } = trail('required', 100);
        written.hold = Promise.reject(new Error('MongoNetworkError'));
        written.hold.catch(() => undefined);
        const stored = audit.record(event('retried'), audit.reserve());
        await jest.advanceTimersByTimeAsync(0);
        expect(await stored).toBe(false);
        written.hold = undefined;
        await jest.advanceTimersByTimeAsync(1000);
        expect(written.batches.map(requestIds)).toEqual([['retried']]);
        await audit.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
