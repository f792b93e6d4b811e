import { hostname } from 'node:os';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import { AppConfig } from '@crm/config';
import { RequestLog } from './request-log';

/** Paths that never reach a log line, even if a caller of the logger passes them: secrets and bodies. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body',
  'res.body',
];

/** Buffered log lines are written at least this often, so a quiet pod's lines still show up promptly. */
const LOG_FLUSH_INTERVAL_MS = 250;
/** Lines are written in chunks of at least this many bytes (or at the interval), not one write each. */
const LOG_CHUNK_BYTES = 4096;
/** What may wait for a stdout that does not drain; beyond it lines are dropped rather than memory exhausted. */
const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Standard output, buffered: one write per few lines instead of a synchronous write per line. Pino
 * writes what is buffered when the process exits, also after an uncaught error; a SIGKILL loses at
 * most the last interval's lines.
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_CHUNK_BYTES,
    maxLength: LOG_BUFFER_MAX_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
}

/**
 * JSON logs: Nest's logger is nestjs-pino's, writing through one pino instance, and each request is
 * logged once, as one line, by RequestLog's Fastify hooks (installed by bootstrap). nestjs-pino's own
 * per-request middleware is not mounted (no route): RequestLog replaces it at a fraction of its cost.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, stream: DestinationStream = bufferedStdout()): DynamicModule {
    const logger = pino(
      {
        level: config.logLevel,
        base: { pid: process.pid, hostname: hostname(), service: 'crm' },
        redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      },
      stream,
    );
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })],
      providers: [{ provide: RequestLog, useValue: new RequestLog(logger, config.maxPaginationLimit) }],
      exports: [RequestLog],
    };
  }
}
