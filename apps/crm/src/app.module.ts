import { DynamicModule, Module, Type } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { DestinationStream } from 'pino';
import { AppConfig, ConfigModule } from '@crm/config';
import { CryptoModule } from '@crm/crypto';
import { MidazModule } from '@crm/midaz';
import { AliasAccountModule } from './alias-account/alias-account.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { HolderModule } from './holder/holder.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { LoggingModule } from './logging/logging.module';
import { mongoConnectionOptions } from './mongo-connection';
import { MetricsModule } from './telemetry/metrics.controller';
import type { Telemetry } from './telemetry/telemetry';

export interface AppModuleOptions {
  /** Where JSON logs go (stdout when absent); tests pass a capturing stream. */
  logStream?: DestinationStream;
  /** Modules mounted beside the service's own; the tests mount probe controllers this way. */
  extraModules?: Type<unknown>[];
  /** Started telemetry (see telemetry/telemetry.ts); with Prometheus on, GET /metrics is served. */
  telemetry?: Telemetry;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logStream),
        MongooseModule.forRoot(config.mongo.uri, {
          ...mongoConnectionOptions(config),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        CryptoModule.forRoot(config.crypto),
        AuthModule,
        MidazModule,
        EventsModule,
        HealthModule,
        HolderModule,
        AliasAccountModule,
        AuditModule,
        IdempotencyModule,
        ...(options.telemetry?.prometheus ? [MetricsModule.forRoot(options.telemetry.prometheus)] : []),
        ...(options.extraModules ?? []),
      ],
    };
  }
}
