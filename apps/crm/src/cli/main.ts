/**
 * `npm run cli -- <command>` (in the image: `node dist/apps/crm/apps/crm/src/cli/main.js <command>`):
 * operator commands that share the service's configuration (same env vars and *_FILE secrets).
 */
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { AppConfig, ConfigError, loadConfig } from '@crm/config';
import { CliModule } from './cli.module';
import { CLI_COMMAND_MODULES } from './commands';

function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`crm-cli: bad configuration. ${error.message}\n`);
      process.exit(78); // EX_CONFIG, as the service
    }
    throw error;
  }
}

async function main(): Promise<void> {
  await CommandFactory.run(CliModule.forRoot(configOrExit(), CLI_COMMAND_MODULES), {
    logger: ['error', 'warn'],
    // Commander reports usage errors (unknown command or option) with its own exit code; help exits 0.
    errorHandler: (error) => process.exit((error as { exitCode?: number }).exitCode ?? 2),
    // A command that throws fails the process (nest-commander would only print it and exit 0).
    serviceErrorHandler: (error) => {
      process.stderr.write(`crm-cli: ${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    },
  });
}

main().catch((error: Error) => {
  // Name and message only: never a stack that could carry data.
  process.stderr.write(`crm-cli: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
