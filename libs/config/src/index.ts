export type { AppConfig, IdempotencyConfig, MidazConfig } from './app-config';
export type { AuditConfig, AuthConfig, JwtAuthConfig, LerianAuthConfig } from './auth-config';
export { ASYMMETRIC_ALGORITHMS } from './auth-config';
export { ConfigError, keyProblem, loadConfig } from './app-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export type { Env } from './secret-files';
export { SECRET_VARIABLES } from './secret-files';
export type { StreamingConfig } from './streaming-config';
export type { LocalDevPaths } from './local-dev';
export {
  claimDataDir,
  DataDirInUse,
  localDevPaths,
  readEnvFile,
  recordDevDatabase,
  releaseDataDir,
  runningDevDatabase,
} from './local-dev';
