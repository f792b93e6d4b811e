import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { MidazLedgerClient } from '@crm/midaz';
import { ReadinessRegistry } from './readiness.registry';

/**
 * Readiness report of Midaz, never failing: while Midaz is down the CRM still serves reads and
 * holder writes, so the check is `degraded` (HTTP 200), not `down`.
 */
@Injectable()
export class MidazReadiness implements OnModuleInit {
  constructor(
    private readonly midaz: MidazLedgerClient,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register('midaz', async () => {
      const session = this.indicators.check('midaz');
      if (!this.midaz.enabled) return session.up({ validation: 'off' });
      const started = Date.now();
      const reachable = await this.midaz.reachable();
      const details = { responseTime: Date.now() - started, circuit: this.midaz.circuit };
      return reachable ? session.up(details) : session.degraded({ ...details, message: 'Midaz unreachable: alias creation answers 503 CRM-0032' });
    });
  }
}
