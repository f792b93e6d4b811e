import { forwardRef, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { PersonalDataModule } from '@crm/personal-data';
import { AliasAccountModule } from '../alias-account/alias-account.module';
import { HOLDER_DELETION_MODEL, HolderDeletions, HolderDeletionSchema } from './holder-deletions.repository';
import { HolderController } from './holder.controller';
import { HolderLinks } from './holder-links';
import { HolderRepository } from './holder.repository';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from './holder.schema';
import { HolderService } from './holder.service';

@Module({
  imports: [
    PersonalDataModule,
    MongooseModule.forFeatureAsync([protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS)]),
    MongooseModule.forFeature([{ name: HOLDER_DELETION_MODEL, schema: HolderDeletionSchema }]),
    // Each side calls the other's port: a holder deletion asks about aliases (HolderAliases), an alias
    // creation about its holder (HolderLinks).
    forwardRef(() => AliasAccountModule),
  ],
  controllers: [HolderController],
  providers: [HolderRepository, HolderService, HolderLinks, HolderDeletions],
  // Aliases get HolderLinks only: what they may know of holders (see holder-links.ts).
  exports: [HolderLinks],
})
export class HolderModule {}
