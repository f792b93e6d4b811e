import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { APP_CONFIG, AppConfig, AuditConfig } from '@crm/config';
import type { AuditEvent } from './audit-event.schema';
import { AuditRepository } from './audit.repository';

const BATCH_SIZE = 500;
/**
 * best-effort: how long a queued event of a busy trail waits for others before the writer sends them
 * together. Without it a busy pod sends an insert, a database round trip, for nearly every request; with
 * it, one per interval or per full batch. A quiet trail (no write began within the interval) does not
 * wait: its event goes at the end of the turn that recorded it, in the wake-up the request already
 * caused, rather than in one of its own. The answer never waits for either.
 */
const LINGER_MS = 100;
const MAX_BACKOFF_MS = 5000;
const SHUTDOWN_FLUSH_MS = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A place in the audit queue, taken when a business request starts and filled when it ends. */
export interface AuditSlot {
  settled: boolean;
}

/** A queued event and, in required mode, the answer waiting for it to be stored. */
interface QueuedEvent {
  event: AuditEvent;
  settle?: (stored: boolean) => void;
}

/**
 * The audit trail's bounded in-memory queue and its writer. A request takes a slot when it starts (in
 * `required` mode, no slot means 503 CRM-0044 before anything runs), so no request goes unaudited beyond
 * the queue's bound.
 * - `required`: group commit. An answer leaves only once the batch holding its event is stored; the
 *   writer sends whatever queued while the previous batch was on its way, with no linger. An event not
 *   stored within AUDIT_WAIT_MS (or whose batch failed) turns its answer into 503 CRM-0044; the event
 *   stays queued and is written when the database is back, since what the request did happened.
 * - `best-effort`: the answer never waits; a slow or unreachable database never delays it.
 * Failed batches stay queued and are retried with backoff; inserts are idempotent by event id.
 */
@Injectable()
export class AuditTrail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private readonly settings: AuditConfig;
  private readonly queue: QueuedEvent[] = [];
  private reserved = 0;
  private writing?: Promise<void>;
  /** Cancels the scheduled drain, if one is. */
  private cancelScheduled?: () => void;
  private lastWriteAt = -Infinity;
  /** Set once shutdown has flushed what it could: no writer is scheduled after it. */
  private closed = false;
  private failures = 0;
  private retention?: NodeJS.Timeout;

  private readonly events = metrics.getMeter('crm.audit').createCounter('crm.audit.events', {
    description:
      'Audit events by outcome: queued, written, dropped (best-effort), refused (required, queue full), unconfirmed (required, answered 503)',
  });

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: AuditRepository,
  ) {
    this.settings = config.audit;
    metrics
      .getMeter('crm.audit')
      .createObservableGauge('crm.audit.queue.depth', { description: 'Audit events waiting to be written' })
      .addCallback((result) => result.observe(this.queue.length));
  }

  get mode(): AuditConfig['mode'] {
    return this.settings.mode;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.mode === 'off') {
      this.logger.warn('AUDIT_MODE=off: accesses to holders are NOT recorded');
      return;
    }
    await this.repository.ensureIndexes();
    if (this.settings.retentionDays > 0) {
      const purge = () => void this.purge();
      purge();
      this.retention = setInterval(purge, 60 * 60 * 1000).unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.retention) clearInterval(this.retention);
    this.unscheduleDrain();
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
    while (this.queue.length > 0 && Date.now() < deadline) {
      this.drain();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.closed = true;
    this.unscheduleDrain();
    for (const entry of this.queue) entry.settle?.(false);
    if (this.queue.length > 0)
      this.logger.error({ unwritten: this.queue.length }, 'audit events could not be written before shutdown');
  }

  /** A slot for one request; undefined when the queue is full (or audit is off). */
  reserve(): AuditSlot | undefined {
    if (this.settings.mode === 'off') return undefined;
    if (this.queue.length + this.reserved >= this.settings.queueSize) return undefined;
    this.reserved++;
    return { settled: false };
  }

  /** Frees a slot whose request ended without an answer (client gone). */
  release(slot: AuditSlot): void {
    if (slot.settled) return;
    slot.settled = true;
    this.reserved--;
  }

  /**
   * Queues a finished request's event and resolves when its answer may leave: true once the event is
   * stored (required) or queued (best-effort); false when a best-effort event was dropped or a required
   * one was not stored in time. A request that held a slot always gets its event queued, even if the slot
   * was released meanwhile (the caller hung up while it ran): the queue then runs over its bound by at
   * most the requests in flight. Only best-effort events without a slot are dropped when it is full.
   */
  record(event: AuditEvent, slot: AuditSlot | undefined): Promise<boolean> {
    if (this.settings.mode === 'off') return Promise.resolve(false);
    if (slot) {
      if (!slot.settled) {
        slot.settled = true;
        this.reserved--;
      }
    } else if (this.queue.length + this.reserved >= this.settings.queueSize) {
      this.events.add(1, { outcome: 'dropped' });
      this.logger.warn({ audit: event }, 'audit queue full: event dropped (AUDIT_MODE=best-effort)');
      return Promise.resolve(false);
    }
    const stored = this.settings.mode === 'required' ? this.enqueueAwaited(event) : this.enqueue({ event });
    if (this.queue.length >= BATCH_SIZE) this.drain();
    else this.scheduleDrain();
    return stored;
  }

  private enqueue(entry: QueuedEvent): Promise<boolean> {
    this.queue.push(entry);
    this.events.add(1, { outcome: 'queued' });
    return Promise.resolve(true);
  }

  private enqueueAwaited(event: AuditEvent): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => entry.settle?.(false), this.settings.waitMs);
      const entry: QueuedEvent = {
        event,
        settle: (stored) => {
          entry.settle = undefined;
          clearTimeout(timer);
          if (!stored) this.events.add(1, { outcome: 'unconfirmed' });
          resolve(stored);
        },
      };
      void this.enqueue(entry);
    });
  }

  /** Counts and logs a request refused for want of a slot (required mode). */
  refused(requestId: string): void {
    this.events.add(1, { outcome: 'refused' });
    this.logger.warn(
      { requestId, pending: this.queue.length },
      'audit queue full: request refused with 503 CRM-0044 (AUDIT_MODE=required)',
    );
  }

  /** Drains at the end of this turn when the trail is quiet or answers wait, after LINGER_MS otherwise. */
  private scheduleDrain(): void {
    if (this.closed || this.cancelScheduled) return;
    if (this.settings.mode === 'best-effort' && performance.now() - this.lastWriteAt < LINGER_MS) {
      const timer = setTimeout(() => this.drain(), LINGER_MS);
      this.cancelScheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.drain());
      this.cancelScheduled = () => clearImmediate(immediate);
    }
  }

  private unscheduleDrain(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
  }

  private drain(): void {
    this.unscheduleDrain();
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
      // Events queued during the write wait for company too (a full batch has gone at once).
      if (this.queue.length > 0) this.scheduleDrain();
    });
  }

  /** Writes batches until fewer than a full batch remain, retrying a failed batch with backoff. */
  private async writeAll(): Promise<void> {
    for (let full = true; full && this.queue.length > 0;) {
      const batch = this.queue.slice(0, BATCH_SIZE);
      this.lastWriteAt = performance.now();
      try {
        await this.repository.append(batch.map((entry) => entry.event));
        this.queue.splice(0, batch.length);
        for (const entry of batch) entry.settle?.(true);
        full = this.queue.length >= BATCH_SIZE;
        this.events.add(batch.length, { outcome: 'written' });
        if (this.failures > 0) this.logger.log({ pending: this.queue.length }, 'audit writes resumed');
        this.failures = 0;
      } catch (error) {
        if (this.failures === 0)
          this.logger.warn(
            { errorName: (error as Error).name, pending: this.queue.length },
            'audit write failed; retrying',
          );
        for (const entry of batch) entry.settle?.(false);
        this.failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.failures)));
      }
    }
  }

  private async purge(): Promise<void> {
    try {
      const purged = await this.repository.purgeOlderThan(new Date(Date.now() - this.settings.retentionDays * DAY_MS));
      if (purged > 0)
        this.logger.log({ purged, retentionDays: this.settings.retentionDays }, 'audit events past retention purged');
    } catch (error) {
      this.logger.warn({ errorName: (error as Error).name }, 'audit retention purge failed');
    }
  }
}
