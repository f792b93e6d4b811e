import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';
import { KeyringCanary } from '@crm/crypto';
import { MidazLedgerClient } from '@crm/midaz';
import { OutboxRelay } from '../events/outbox-relay';

const MONGO_PING_TIMEOUT_MS = 1500;

/** The readiness checks of the service's dependencies, each reported with its status by /readyz. */
@Injectable()
export class DependencyChecks {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly canary: KeyringCanary,
    private readonly midaz: MidazLedgerClient,
    private readonly indicators: HealthIndicatorService,
    private readonly relay: OutboxRelay,
  ) {}

  /** MongoDB answers a ping within the timeout (down otherwise: the pod leaves the Service). */
  mongo() {
    return this.indicators
      .check('mongo')
      .attempt(async () => {
        await this.connection.db!.admin().ping({ timeoutMS: MONGO_PING_TIMEOUT_MS });
      })
      .withTimeout(MONGO_PING_TIMEOUT_MS);
  }

  /** The keys were proved against the stored canary at boot. */
  keyring() {
    const session = this.indicators.check('keyring');
    return Promise.resolve(
      this.canary.verified
        ? session.up({ canary: 'verified' })
        : session.down({ message: 'keys not verified against stored data' }),
    );
  }

  /**
   * Midaz reachability, never failing: while Midaz is down the CRM still serves reads and holder
   * writes, so the check is `degraded` (HTTP 200), not `down`.
   */
  async midazLedger() {
    const session = this.indicators.check('midaz');
    if (!this.midaz.enabled) return session.up({ validation: 'off' });
    const started = Date.now();
    const reachable = await this.midaz.reachable();
    const details = { responseTime: Date.now() - started, circuit: this.midaz.circuit };
    return reachable
      ? session.up(details)
      : session.degraded({ ...details, message: 'Midaz unreachable: alias creation answers 503 CRM-0032' });
  }

  /**
   * Change events: the outbox backlog and the age of its oldest event. An unreachable broker slows and
   * fails no request (the events wait in the outbox), so the check is `degraded` (HTTP 200), not `down`.
   */
  async events() {
    const session = this.indicators.check('events');
    if (!this.relay.enabled) return session.up({ streaming: 'off' });
    const { waiting, oldestAgeMs } = await this.relay.backlog();
    const details = { backlog: waiting, oldestAgeMs, relay: this.relay.status.leader ? 'leader' : 'standby' };
    return this.relay.status.brokerReachable
      ? session.up(details)
      : session.degraded({ ...details, message: `Kafka unreachable: ${this.relay.status.lastError ?? 'no answer'}` });
  }
}
