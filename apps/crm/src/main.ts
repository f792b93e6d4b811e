import 'reflect-metadata';
import { ConfigError, loadConfig } from '@crm/config';
import { createApp } from './bootstrap';
import { installGracefulShutdown } from './shutdown';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`crm: refusing to start. ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  installGracefulShutdown(app, config.shutdown);
  await app.listen(config.server.port, config.server.host);
}

main().catch((error: Error) => {
  // Boot failures (database unreachable, key mismatch) end here; name and message only.
  process.stderr.write(`crm: failed to start: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
