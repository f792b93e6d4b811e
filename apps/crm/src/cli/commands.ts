import type { DynamicModule } from '@nestjs/common';
import { ImportModule } from './import/import.module';

/** The command groups of the CLI; each is a Nest module providing nest-commander commands. */
export const CLI_COMMAND_MODULES: NonNullable<DynamicModule['imports']> = [ImportModule];
