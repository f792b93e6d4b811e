import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { protectedModel } from '@crm/crypto';
import { MetadataPiiGuard } from '@crm/identity';
import { HolderController } from './holder.controller';
import { HolderDeletionChecks } from './holder-deletion.checks';
import { HolderRepository } from './holder.repository';
import { HOLDER_MODEL, HOLDER_PROTECTED_FIELDS, HolderSchema } from './holder.schema';
import { HolderService } from './holder.service';

@Module({
  imports: [MongooseModule.forFeatureAsync([protectedModel(HOLDER_MODEL, HolderSchema, HOLDER_PROTECTED_FIELDS)])],
  controllers: [HolderController],
  providers: [HolderRepository, HolderService, HolderDeletionChecks, MetadataPiiGuard],
  exports: [HolderService, HolderDeletionChecks],
})
export class HolderModule {}
