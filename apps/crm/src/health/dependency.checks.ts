import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';
import { KeyringCanary } from '@crm/crypto';
import { MidazLedgerClient } from '@crm/midaz';

const MONGO_PING_TIMEOUT_MS = 1500;

/** The readiness checks of the service's dependencies, each reported with its status by /readyz. */
@Injectable()
export class DependencyChecks {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly canary: KeyringCanary,
    private readonly midaz: MidazLedgerClient,
    private readonly indicators: HealthIndicatorService,
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
}
