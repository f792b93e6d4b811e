import { Module } from '@nestjs/common';
import { KeyRotationService } from '@crm/crypto';
import { ProtectedModelsModule } from '../protected-models.module';
import { KeysCommand, KeysRotateCommand, KeysStatusCommand, KeysVerifyCommand } from './keys.commands';

/** `keys status | rotate | verify` over the protected models the service registers. */
@Module({
  imports: [ProtectedModelsModule],
  providers: [KeyRotationService, KeysCommand, KeysStatusCommand, KeysRotateCommand, KeysVerifyCommand],
})
export class KeysCommandModule {}
