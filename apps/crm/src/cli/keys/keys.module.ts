import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { KeyRotationService, protectedModel } from '@crm/crypto';
import { ALIAS_ACCOUNT_MODEL, ALIAS_PROTECTED_FIELDS, AliasAccountSchema } from '../../alias-account/alias-account.schema';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from '../../holder/holder.schema';
import { KeysCommand, KeysRotateCommand, KeysStatusCommand, KeysVerifyCommand } from './keys.commands';

/**
 * `keys status | rotate | verify`. The protected models are registered as the service registers
 * them (same schemas, same protected fields), which is what tells the rotation what to walk.
 */
@Module({
  imports: [
    MongooseModule.forFeatureAsync([
      protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS),
      protectedModel(ALIAS_ACCOUNT_MODEL, AliasAccountSchema, ALIAS_PROTECTED_FIELDS),
    ]),
  ],
  providers: [KeyRotationService, KeysCommand, KeysStatusCommand, KeysRotateCommand, KeysVerifyCommand],
})
export class KeysCommandModule {}
