import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { metrics } from '@opentelemetry/api';
import type { Connection } from 'mongoose';
import { APP_CONFIG, AppConfig, StreamingConfig } from '@crm/config';
import { DatabaseLease } from '@crm/leases';
import { ChangeEvents } from './change-events';
import { HandedOffEvents } from './handed-off-events';
import { KafkaPublisher } from './kafka-publisher';
import { OutboxSources } from './outbox-sources';

/** One replica publishes at a time; a killed one's lease lets another take over after this long. */
const LEASE = { collection: 'event_relay_leases', id: 'event-relay', ttlMs: 15_000 };
/** With nothing to publish, the relay looks again this often (a change made here wakes it at once). */
const IDLE_POLL_MS = 500;
/** How long a replica that does not hold the lease waits before asking for it again. */
const STANDBY_POLL_MS = 5_000;
const BATCH = 100;
const FIRST_BACKOFF_MS = 250;
/** Never longer than a third of the lease: a backing-off leader keeps renewing it, so leadership does not flap. */
const MAX_BACKOFF_MS = LEASE.ttlMs / 3;

/** What /readyz and the metrics say of the events. */
export interface RelayStatus {
  /** Whether the last send reached the broker (true until one fails). */
  brokerReachable: boolean;
  lastError?: string;
  leader: boolean;
}

/** A send the broker did not acknowledge (as opposed to a database error while reading or acknowledging). */
class BrokerUnreachable extends Error {}

/** The ms timestamp a UUIDv7 carries in its first 48 bits. */
const createdAtOf = (uuidv7: string) => parseInt(uuidv7.replaceAll('-', '').slice(0, 12), 16);

/**
 * Publishes the events that writes stored (docs/adr/0007-change-events.md): from each source, in each
 * record's order, acknowledged only after the broker has them, so at least once. One replica at a time
 * (a database lease); while the broker is unreachable it backs off, the events wait where they are and
 * no request is slowed. A hard delete left half-done by a crash is finished here.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventRelay');
  private readonly config: StreamingConfig;
  private readonly publisher: KafkaPublisher;
  private lease?: DatabaseLease;
  private leaseRenewedAt = 0;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private backoffMs = 0;
  /** Whether every event topic is known to exist (created when missing); asked again after a failed send. */
  private topicsReady = false;
  readonly status: RelayStatus = { brokerReachable: true, leader: false };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectConnection() private readonly connection: Connection,
    private readonly events: ChangeEvents,
    private readonly sources: OutboxSources,
    private readonly handedOff: HandedOffEvents,
  ) {
    this.config = config.streaming;
    this.publisher = new KafkaPublisher(this.config);
    // A standby only asks for the lease on its own schedule: a change made there waits for the leader.
    events.onEvent(() => this.status.leader && setTimeout(() => this.wake?.(), 20).unref());
    metrics
      .getMeter('crm.events')
      .createObservableGauge('crm.events.outbox.backlog', {
        description: 'Records holding change events, and handed-off events, waiting to be published',
      })
      .addCallback(async (result) => {
        if (this.config.enabled) result.observe((await this.backlog()).waiting);
      });
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  onApplicationBootstrap(): void {
    if (!this.config.enabled) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.lease?.release();
    await this.publisher.close();
  }

  /** Events waiting in every source, and the age of the oldest. */
  async backlog(): Promise<{ waiting: number; oldestAgeMs?: number }> {
    const all = await Promise.all(this.sources.all().map((source) => source.backlog()));
    const oldest = all
      .map((entry) => entry.oldestEventId)
      .filter((id): id is string => id !== undefined)
      .map(createdAtOf);
    return {
      waiting: all.reduce((sum, entry) => sum + entry.waiting, 0),
      ...(oldest.length > 0 ? { oldestAgeMs: Math.max(0, Date.now() - Math.min(...oldest)) } : {}),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = STANDBY_POLL_MS;
      try {
        if (await this.holdLease()) {
          await this.ensureTopics();
          pause = (await this.publishPending()) ? 0 : IDLE_POLL_MS;
        }
      } catch (error) {
        pause = this.failed(error);
      }
      if (pause > 0 && this.running) await this.sleep(pause);
    }
  }

  /** Creates the missing event topics (unless told not to), until it has succeeded once since the last failed send. */
  private async ensureTopics(): Promise<void> {
    if (!this.config.createTopics || this.topicsReady) return;
    const created = await this.publisher.createMissingTopics().catch((error: Error) => {
      throw new BrokerUnreachable(error.message, { cause: error });
    });
    if (created.length > 0) this.logger.log(`created the event topics ${created.join(', ')}`);
    this.topicsReady = true;
  }

  /** Whether this replica holds the relay's lease: taken when free or expired, renewed a few times per period. */
  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.lease && now - this.leaseRenewedAt < LEASE.ttlMs / 3) return true;
    if (this.lease && !(await this.lease.renew())) this.lease = undefined;
    if (!this.lease) {
      const taken = await DatabaseLease.take(this.connection.db!, LEASE);
      this.lease = taken instanceof DatabaseLease ? taken : undefined;
    }
    if (this.lease) this.leaseRenewedAt = now;
    this.status.leader = this.lease !== undefined;
    return this.status.leader;
  }

  /**
   * One pass over every source; whether it found anything (then it goes again at once). The lease is
   * renewed (when due) before each batch, and the pass ends at once if it was lost meanwhile.
   */
  private async publishPending(): Promise<boolean> {
    let found = false;
    for (const source of this.sources.all()) {
      for (const batch of await source.pending(BATCH)) {
        if (!this.running || !(await this.holdLease())) return false;
        found = true;
        if (batch.erasing) {
          await this.events.handOff(batch.events);
          await batch.purge();
          continue;
        }
        await this.publisher.publish(batch.events).catch((error: Error) => {
          throw new BrokerUnreachable(error.message, { cause: error });
        });
        this.delivered();
        if (!(await batch.acknowledge()))
          throw new Error(`published events of a record in ${source.name} were not removed from it; retrying`);
        if (source !== this.handedOff) await this.handedOff.forget(batch.events);
      }
    }
    return found;
  }

  private delivered(): void {
    if (!this.status.brokerReachable) this.logger.log('Kafka reachable again: publishing the waiting events');
    this.status.brokerReachable = true;
    this.status.lastError = undefined;
    this.backoffMs = 0;
  }

  /**
   * A failed pass: back off, doubling up to MAX_BACKOFF_MS; the events stay where they are. Only a send or
   * a topic request the broker did not answer makes it "unreachable"; /readyz shows the error's class, not
   * its text (a driver's message can quote stored values).
   */
  private failed(error: unknown): number {
    const failure = error as Error & { code?: string; cause?: { code?: string; name?: string } };
    if (error instanceof BrokerUnreachable) {
      if (this.status.brokerReachable)
        this.logger.warn(`publishing change events failed, retrying: ${failure.message}`);
      this.status.brokerReachable = false;
      this.status.lastError = failure.cause?.code ?? failure.cause?.name ?? 'Error';
      this.topicsReady = false; // a topic deleted meanwhile is created again
    } else {
      this.logger.warn(`reading or acknowledging change events failed, retrying: ${failure.message}`);
    }
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs === 0 ? FIRST_BACKOFF_MS : this.backoffMs * 2);
    return this.backoffMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        // A change made here wakes an idle relay, never one backing off from a broker outage.
        if (this.backoffMs > 0 && this.running) return;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
