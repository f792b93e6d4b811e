import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DependencyChecks } from './dependency.checks';
import { DrainState } from './drain-state';
import { HealthController } from './health.controller';

/** `/health` (liveness), `/readyz` (readiness: drain state, MongoDB, keyring, Midaz), `/version`. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DrainState, DependencyChecks],
  exports: [DrainState],
})
export class HealthModule {}
