import type { MongooseModuleOptions } from '@nestjs/mongoose';
import type { AppConfig } from '@crm/config';

/** Mongo driver options (besides the URI) derived from the validated configuration; shared by the service and the CLI. */
export function mongoConnectionOptions(config: AppConfig): MongooseModuleOptions {
  return {
    dbName: config.mongo.dbName,
    maxPoolSize: config.mongo.maxPoolSize,
    serverSelectionTimeoutMS: 5000,
    ...(config.mongo.tlsCaCert ? { tls: true, ca: config.mongo.tlsCaCert } : {}),
  };
}
