import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { ALIAS_ACCOUNT_MODEL, ALIAS_PROTECTED_FIELDS, AliasAccountSchema } from '../alias-account/alias-account.schema';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from '../holder/holder.schema';
import { IDEMPOTENCY_MODEL, IDEMPOTENCY_PROTECTED_FIELDS, IdempotencySchema } from '../idempotency/idempotency.schema';

/**
 * The service's protected models (same schemas, same protected fields, crypto plugin included), for
 * every command group. Registered once here: a connection compiles a model only once, and the
 * rotation walks exactly the collections registered.
 */
@Module({
  imports: [
    MongooseModule.forFeatureAsync([
      protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS),
      protectedModel(ALIAS_ACCOUNT_MODEL, AliasAccountSchema, ALIAS_PROTECTED_FIELDS),
      // Answers kept for replays are sealed too: a rotation moves them, or retiring a key would lose them.
      protectedModel(IDEMPOTENCY_MODEL, IdempotencySchema, IDEMPOTENCY_PROTECTED_FIELDS),
    ]),
  ],
  exports: [MongooseModule],
})
export class ProtectedModelsModule {}
