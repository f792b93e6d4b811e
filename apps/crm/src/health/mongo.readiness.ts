import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';
import { ReadinessRegistry } from './readiness.registry';

export const MONGO_PING_TIMEOUT_MS = 1500;

/** Readiness check: MongoDB answers a ping within the timeout. */
@Injectable()
export class MongoReadiness implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register('mongo', () =>
      this.indicators
        .check('mongo')
        .attempt(async () => {
          await this.connection.db!.admin().ping({ timeoutMS: MONGO_PING_TIMEOUT_MS });
        })
        .withTimeout(MONGO_PING_TIMEOUT_MS),
    );
  }
}
