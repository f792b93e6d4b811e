import { hostname } from 'node:os';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import { bufferedStdout } from './buffered-stdout';
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
