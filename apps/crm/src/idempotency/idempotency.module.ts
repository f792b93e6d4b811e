import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';
import { IDEMPOTENCY_MODEL, IDEMPOTENCY_PROTECTED_FIELDS, IdempotencySchema } from './idempotency.schema';
import { IdempotentCreates } from './idempotent-creates';

/**
 * Idempotent creates (`@IdempotentCreate()` handlers): the interceptor is global and acts only on the
 * handlers marked, so the feature modules need not import this one.
 */
@Module({
  imports: [
    MongooseModule.forFeatureAsync([
      protectedModel(IDEMPOTENCY_MODEL, IdempotencySchema, IDEMPOTENCY_PROTECTED_FIELDS),
    ]),
  ],
  providers: [IdempotencyStore, IdempotentCreates, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
  exports: [IdempotentCreates, IdempotencyStore],
})
export class IdempotencyModule {}
