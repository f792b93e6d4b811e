import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { KeyringReadiness } from './keyring.readiness';
import { MidazReadiness } from './midaz.readiness';
import { MongoReadiness } from './mongo.readiness';
import { ReadinessRegistry } from './readiness.registry';

/** `/health` (liveness), `/readyz` (readiness, extended by other modules through ReadinessRegistry), `/version`. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessRegistry, MongoReadiness, KeyringReadiness, MidazReadiness],
  exports: [ReadinessRegistry, TerminusModule],
})
export class HealthModule {}
