import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { AppConfig } from '@crm/config';
import { requestIdOf } from '@crm/http';
import { loggableHeaders } from './loggable-headers';
import { loggableUrl } from './loggable-url';

/** Paths that never reach a log line, even if a serializer changes: bodies, and secrets beside them. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body',
  'res.body',
];

/** What pino-http hands the request serializer: the standard serialization, with the raw request beside it. */
type SerializedRequest = { id?: string; method?: string; url?: string; headers: IncomingHttpHeaders };

/**
 * JSON logs through nestjs-pino: one line per request, no bodies. A request is logged as its route
 * template, valid paging values and an allow-list of headers (see loggable-url.ts, loggable-headers.ts):
 * nothing a caller or a browser puts in a URL or a header reaches a log line unchecked.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, stream?: DestinationStream): DynamicModule {
    const options = {
      level: config.logLevel,
      genReqId: (request: IncomingMessage) => requestIdOf(request),
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (request: SerializedRequest) => ({
          id: request.id,
          method: request.method,
          url: loggableUrl(request.url, config.maxPaginationLimit),
          headers: loggableHeaders(request.headers, request.id),
        }),
      },
      customProps: () => ({ service: 'crm' }),
    };
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: stream ? [options, stream] : options,
          // nestjs-pino's default pattern does not match on Fastify under Nest 12: name every route.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
      ],
    };
  }
}
