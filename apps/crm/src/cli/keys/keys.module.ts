import { Module } from '@nestjs/common';
import { ProtectedModelsModule } from '../protected-models.module';
import { KeysCommand, KeysRotateCommand, KeysStatusCommand, KeysVerifyCommand } from './keys.commands';

/** `keys status | rotate | verify` over the protected models the service registers (CryptoModule provides the rotation). */
@Module({
  imports: [ProtectedModelsModule],
  providers: [KeysCommand, KeysStatusCommand, KeysRotateCommand, KeysVerifyCommand],
})
export class KeysCommandModule {}
