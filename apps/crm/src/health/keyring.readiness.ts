import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KeyringCanary } from '@crm/crypto';
import { ReadinessRegistry } from './readiness.registry';

/** Readiness check: the keys are loaded and proved against the stored canary at boot. */
@Injectable()
export class KeyringReadiness implements OnModuleInit {
  constructor(
    private readonly canary: KeyringCanary,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register('keyring', async () => {
      const session = this.indicators.check('keyring');
      return this.canary.verified ? session.up({ canary: 'verified' }) : session.down({ message: 'keys not verified against stored data' });
    });
  }
}
