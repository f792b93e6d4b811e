import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { PersonalDataModule } from '@crm/personal-data';
import { HolderModule } from '../holder/holder.module';
import { AliasAccountController, AliasAccountListController } from './alias-account.controller';
import { AliasAccountRepository } from './alias-account.repository';
import { ALIAS_ACCOUNT_MODEL, ALIAS_PROTECTED_FIELDS, AliasAccountSchema } from './alias-account.schema';
import { AliasAccountService } from './alias-account.service';

@Module({
  imports: [
    PersonalDataModule,
    HolderModule,
    MongooseModule.forFeatureAsync([protectedModel(ALIAS_ACCOUNT_MODEL, AliasAccountSchema, ALIAS_PROTECTED_FIELDS)]),
  ],
  controllers: [AliasAccountController, AliasAccountListController],
  providers: [AliasAccountRepository, AliasAccountService],
})
export class AliasAccountModule {}
