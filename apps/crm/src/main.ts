import 'reflect-metadata';
import { config, telemetry } from './preload'; // first: validated config and telemetry before http/mongodb load
import { createApp } from './bootstrap';
import { installGracefulShutdown } from './shutdown';

async function main(): Promise<void> {
  const app = await createApp(config, { telemetry });
  installGracefulShutdown(app, config.shutdown, telemetry);
  await app.listen(config.server.port, config.server.host);
}

main().catch((error: Error) => {
  // Boot failures (database unreachable, key mismatch) end here; name and message only.
  process.stderr.write(`crm: failed to start: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
