import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER, REQUEST_ID_REPLACED_HEADER, requestIdOf, requestIdRefusalOf } from '@crm/http';
import { loggableHeaders } from './loggable-headers';
import { loggableUrl } from './loggable-url';

/** Fields other parts of the request's handling add to its log line (the audit event). */
const addedFields = new WeakMap<IncomingMessage, Record<string, unknown>>();

/** Adds fields to the one line the request will be logged with (allow-listed data only: ids, names, codes). */
export function addToRequestLog(request: IncomingMessage, fields: Record<string, unknown>): void {
  addedFields.set(request, { ...addedFields.get(request), ...fields });
}

/**
 * One log line per request, written when its connection is done with it (answered, or abandoned by the
 * caller: `aborted`), and the request id echoed on every answer, also those given by hooks. Fastify hooks
 * rather than Nest middleware and a child logger bound to each request: those weigh heavily on a simple
 * request's CPU. The request is shown as its route template with valid ids, valid paging values and an
 * allow-list of headers (see loggable-url.ts, loggable-headers.ts): nothing a caller puts in a URL or a
 * header reaches the line unchecked.
 */
export class RequestLog {
  constructor(
    private readonly logger: Logger,
    private readonly maxPaginationLimit: number,
  ) {}

  install(fastify: FastifyInstance): void {
    // 'close' comes for every request, answered or abandoned (Fastify's onResponse only for answered ones).
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      reply.raw.once('close', () => this.write(request, reply));
      done();
    });
    fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
      if (!reply.hasHeader(REQUEST_ID_HEADER)) void reply.header(REQUEST_ID_HEADER, requestIdOf(request.raw));
      const refusal = requestIdRefusalOf(request.raw);
      if (refusal) void reply.header(REQUEST_ID_REPLACED_HEADER, refusal);
      done(null, payload);
    });
  }

  private write(request: FastifyRequest, reply: FastifyReply): void {
    const aborted = !reply.raw.writableFinished;
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : aborted ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const id = requestIdOf(request.raw);
    const line = {
      req: {
        id,
        method: request.method,
        url: loggableUrl(request.url, this.maxPaginationLimit),
        headers: loggableHeaders(request.headers, id),
      },
      ...(aborted ? { aborted } : { res: { statusCode: status } }),
      responseTime: Math.round(reply.elapsedTime),
      ...(requestIdRefusalOf(request.raw) ? { requestIdReplaced: requestIdRefusalOf(request.raw) } : {}),
      ...addedFields.get(request.raw),
    };
    this.logger[level](line, aborted ? 'request aborted' : 'request completed');
  }
}
