import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { AliasAccountRepository } from '../../alias-account/alias-account.repository';
import { ALIAS_ACCOUNT_MODEL, ALIAS_PROTECTED_FIELDS, AliasAccountSchema } from '../../alias-account/alias-account.schema';
import { HolderRepository } from '../../holder/holder.repository';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from '../../holder/holder.schema';
import { ImportCommand, ImportLerianCommand } from './import.command';
import { LerianImporter } from './lerian-importer';

/**
 * The `import` command group. It uses the service's own models (crypto plugin included) and
 * repositories, without the HTTP layer: what it writes is exactly what the API would store.
 */
@Module({
  imports: [
    MongooseModule.forFeatureAsync([
      protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS),
      protectedModel(ALIAS_ACCOUNT_MODEL, AliasAccountSchema, ALIAS_PROTECTED_FIELDS),
    ]),
  ],
  providers: [HolderRepository, AliasAccountRepository, LerianImporter, ImportCommand, ImportLerianCommand],
  exports: [LerianImporter],
})
export class ImportModule {}
