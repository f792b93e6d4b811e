import { forwardRef, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { PersonalDataModule } from '@crm/personal-data';
import { HolderAliases } from '../holder/holder-aliases.port';
import { HolderModule } from '../holder/holder.module';
import { AliasAccountController, AliasAccountListController } from './alias-account.controller';
import { AliasAccountLinks } from './alias-account-links';
import { AliasAccountRepository } from './alias-account.repository';
import { ALIAS_ACCOUNT_MODEL, ALIAS_PROTECTED_FIELDS, AliasAccountSchema } from './alias-account.schema';
import { AliasAccountService } from './alias-account.service';

@Module({
  imports: [
    PersonalDataModule,
    forwardRef(() => HolderModule),
    MongooseModule.forFeatureAsync([protectedModel(ALIAS_ACCOUNT_MODEL, AliasAccountSchema, ALIAS_PROTECTED_FIELDS)]),
  ],
  controllers: [AliasAccountController, AliasAccountListController],
  providers: [AliasAccountRepository, AliasAccountService, { provide: HolderAliases, useClass: AliasAccountLinks }],
  // Holders get HolderAliases only: what a holder deletion may know of aliases.
  exports: [HolderAliases],
})
export class AliasAccountModule {}
