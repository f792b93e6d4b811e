import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '@crm/config';
import { requestIdOf } from '@crm/http';
import { loggableUrl } from './loggable-url';

/** Header, body and query paths that never reach a log line, even if a serializer changes. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body',
  'res.body',
];

type LoggedRequest = IncomingMessage & { id?: string; raw?: IncomingMessage };

/** JSON logs through nestjs-pino: one line per request, no bodies, secrets and personal data redacted. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, stream?: DestinationStream): DynamicModule {
    const options = {
      level: config.logLevel,
      genReqId: (request: IncomingMessage) => requestIdOf(request),
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (request: LoggedRequest) => ({
          id: request.id,
          method: request.method,
          url: loggableUrl(request.url),
          headers: request.headers,
        }),
      },
      customProps: () => ({ service: 'crm' }),
    };
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({
          pinoHttp: stream ? [options, stream] : options,
          // nestjs-pino's default pattern does not match on Fastify under Nest 12: name every route.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        })],
    };
  }
}
