import { AppConfig, ConfigError, loadConfig } from '@crm/config';
import { startTelemetry } from './telemetry/telemetry';

/**
 * Evaluated first by main.ts (imports run in order): it validates the configuration (exit 78 on a bad
 * one) and starts telemetry before anything loads `http` or the MongoDB driver, which telemetry hooks.
 */
function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`crm: refusing to start. ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

export const config = configOrExit();
export const telemetry = startTelemetry(config);
