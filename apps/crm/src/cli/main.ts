/**
 * `npm run cli -- <command>` (in the image: `node dist/apps/crm/apps/crm/src/cli/main.js <command>`):
 * operator commands that share the service's configuration (same env vars and *_FILE secrets).
 * On a developer's machine without MONGO_URI, they use the database of the running `npm run dev`.
 * `--verbose` (anywhere on the line) adds the stack to a failure's one line.
 */
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { AppConfig, ConfigError, loadConfig, localDevPaths } from '@crm/config';
import { CliModule } from './cli.module';
import { cliEnvironment } from './cli-environment';
import { CLI_COMMAND_MODULES } from './commands';
import { describeFailure } from './failures';

const verbose = process.argv.includes('--verbose');
process.argv = process.argv.filter((arg) => arg !== '--verbose');
const { env, note, databaseCheck } = cliEnvironment(process.env, localDevPaths(process.cwd()));

function configOrExit(): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`crm-cli: bad configuration. ${error.message}\n`);
      process.exit(78); // EX_CONFIG, as the service
    }
    throw error;
  }
}

function reportFailure(error: unknown): void {
  process.stderr.write(describeFailure(error, { databaseCheck, verbose }));
}

async function main(): Promise<void> {
  if (note) process.stderr.write(`${note}\n`);
  await CommandFactory.run(CliModule.forRoot(configOrExit(), CLI_COMMAND_MODULES), {
    // Failures are reported once, below, as one line: not as Nest's logged stacks.
    logger: verbose ? ['error', 'warn'] : false,
    abortOnError: false,
    // Commander reports usage errors (unknown command or option) with its own exit code; help exits 0.
    errorHandler: (error) => process.exit((error as { exitCode?: number }).exitCode ?? 2),
    // A command that throws fails the process (nest-commander would only print it and exit 0).
    serviceErrorHandler: (error) => {
      reportFailure(error);
      process.exitCode = 1;
    },
  });
}

main().catch((error: unknown) => {
  reportFailure(error);
  process.exit(1);
});
