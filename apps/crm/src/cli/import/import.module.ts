import { Module } from '@nestjs/common';
import { AliasAccountRepository } from '../../alias-account/alias-account.repository';
import { ChangeEventsModule } from '../../events/events.module';
import { HolderRepository } from '../../holder/holder.repository';
import { ProtectedModelsModule } from '../protected-models.module';
import { ImportCommand, ImportLerianCommand } from './import.command';
import { LerianImporter } from './lerian-importer';

/**
 * The `import` command group. It uses the service's own models (crypto plugin included) and
 * repositories, without the HTTP layer: what it writes is exactly what the API would store. Its records are
 * written without change events (their changes happened in the original), and no relay runs here.
 */
@Module({
  imports: [ProtectedModelsModule, ChangeEventsModule],
  providers: [HolderRepository, AliasAccountRepository, LerianImporter, ImportCommand, ImportLerianCommand],
  exports: [LerianImporter],
})
export class ImportModule {}
