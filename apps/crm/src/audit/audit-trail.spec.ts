import type { AppConfig } from '@crm/config';
import type { AuditEvent } from './audit-event.schema';
import type { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';

/** The writer's database, in memory: what was appended, batch by batch. */
class AppendedEvents {
  readonly batches: AuditEvent[][] = [];
  append(events: AuditEvent[]): Promise<void> {
    this.batches.push([...events]);
    return Promise.resolve();
  }
}

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
const requestIds = (batch: AuditEvent[]) => batch.map((e) => e.requestId);
const event = (requestId: string) => ({ _id: requestId, requestId }) as unknown as AuditEvent;

function trail(mode: 'required' | 'best-effort', queueSize: number) {
  const written = new AppendedEvents();
  const config = { audit: { mode, queueSize, retentionDays: 0 } } as AppConfig;
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
    expect(audit.record(event('gone'), slot)).toBe(true); // …yet what the first request did is audited
    await audit.onModuleDestroy();
    expect(written.batches.flat().map((e) => e.requestId)).toEqual(['gone']);
  });

  it('drops a best-effort event without a slot when the queue is full, and queues it when there is room', async () => {
    const { trail: audit, written } = trail('best-effort', 1);
    expect(audit.reserve()).toBeDefined();
    expect(audit.record(event('no-room'), undefined)).toBe(false);
    const roomy = trail('best-effort', 2);
    expect(roomy.trail.reserve()).toBeDefined();
    expect(roomy.trail.record(event('room'), undefined)).toBe(true);
    await Promise.all([audit.onModuleDestroy(), roomy.trail.onModuleDestroy()]);
    expect(written.batches).toEqual([]);
    expect(roomy.written.batches.flat().map((e) => e.requestId)).toEqual(['room']);
  });

  it('writes the events of a quiet trail at the end of the turn that recorded them, together', async () => {
    const { trail: audit, written } = trail('required', 100);
    for (const id of ['a', 'b']) audit.record(event(id), audit.reserve());
    expect(written.batches).toEqual([]); // not within the request's own handling…
    await endOfTurn();
    expect(written.batches.map(requestIds)).toEqual([['a', 'b']]); // …but in the same wake-up, as one batch
    await audit.onModuleDestroy();
  });

  it('makes the events of a busy trail (a write began within the linger) wait for company', async () => {
    jest.useFakeTimers(); // setImmediate, setTimeout and performance.now alike
    try {
      const { trail: audit, written } = trail('required', 100);
      audit.record(event('first'), audit.reserve());
      await jest.advanceTimersByTimeAsync(0);
      expect(written.batches.map(requestIds)).toEqual([['first']]);
      for (const id of ['c', 'd']) audit.record(event(id), audit.reserve());
      await jest.advanceTimersByTimeAsync(99);
      expect(written.batches.map(requestIds)).toEqual([['first']]); // c and d wait…
      await jest.advanceTimersByTimeAsync(1);
      expect(written.batches.map(requestIds)).toEqual([['first'], ['c', 'd']]); // …and go together
      await audit.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });
});
