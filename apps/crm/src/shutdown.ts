import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrainState } from './health/drain-state';
import type { Telemetry } from './telemetry/telemetry';

/**
 * On SIGTERM/SIGINT: readiness turns 503 at once (so Kubernetes stops routing here), the process
 * keeps serving for `delayMs`, then closes the server, letting in-flight requests finish, and
 * exits; if draining takes longer than `timeoutMs` it exits non-zero.
 */
export function installGracefulShutdown(
  app: INestApplication,
  options: { delayMs: number; timeoutMs: number },
  telemetry?: Telemetry,
): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const shutdown = async (signal: string) => {
    if (started) return;
    started = true;
    logger.log(`${signal} received: draining`);
    app.get(DrainState).begin();
    setTimeout(() => {
      logger.error(`drain exceeded ${options.timeoutMs} ms; exiting`);
      process.exit(1);
    }, options.delayMs + options.timeoutMs).unref();
    await sleep(options.delayMs);
    // Nest's close() runs the providers' destroy hooks (database, Midaz client) before it stops the
    // server; stop the server first, so in-flight requests finish with their dependencies intact.
    // Connections that turn idle once their last response is sent (keep-alive) are closed as they do.
    const server = app.getHttpServer() as Server;
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await app.getHttpAdapter().close();
    } finally {
      clearInterval(reaper);
    }
    await app.close();
    await telemetry?.shutdown(); // flushes the last spans and metrics
    logger.log('closed');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
