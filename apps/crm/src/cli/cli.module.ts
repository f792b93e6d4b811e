import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig, ConfigModule } from '@crm/config';
import { CryptoModule } from '@crm/crypto';
import { mongoConnectionOptions } from '../mongo-connection';

/**
 * The root of `npm run cli`: the service's configuration, database connection and keys, without the
 * HTTP server. Each command group (keys, import) is a module listed in CLI_COMMAND_MODULES.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, commandModules: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        MongooseModule.forRoot(config.mongo.uri, { ...mongoConnectionOptions(config), retryAttempts: 0 }),
        CryptoModule.forRoot(config.crypto),
        ...(commandModules ?? []),
      ],
    };
  }
}
