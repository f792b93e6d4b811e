import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { PersonalDataModule } from '@crm/personal-data';
import { SlotClock } from './alias-slots';
import { HolderController } from './holder.controller';
import { HolderLinks } from './holder-links';
import { HolderRepository } from './holder.repository';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from './holder.schema';
import { HolderService } from './holder.service';

@Module({
  imports: [
    PersonalDataModule,
    MongooseModule.forFeatureAsync([protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS)]),
  ],
  controllers: [HolderController],
  providers: [HolderRepository, HolderService, HolderLinks, SlotClock],
  // Aliases get HolderLinks only: what they may know of holders (see holder-links.ts).
  exports: [HolderLinks],
})
export class HolderModule {}
