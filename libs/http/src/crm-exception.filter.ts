import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CrmException } from '@crm/errors';
import { ErrorCode } from '@crm/errors';
import { rawRequestOf, requestIdOf } from './request-id';
import type { RouteMethods } from './route-methods';

/** Errors raised by the HTTP layer (Fastify's body parser) carry a status and a code. */
interface FrameworkError extends Partial<Error> {
  statusCode?: number;
  status?: number;
  code?: string;
}

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'CRM-0035',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'CRM-0039',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'CRM-0004',
  FST_ERR_CTP_INVALID_JSON_BODY: 'CRM-0004',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'CRM-0015',
};

const DATABASE_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

const STATUS_CODES: Record<number, ErrorCode> = { 404: 'CRM-0038', 413: 'CRM-0035', 415: 'CRM-0039' };

/** Maps anything thrown into a catalogued error; exported for the unit tests. */
export function toCrmException(error: unknown): CrmException | undefined {
  if (error instanceof CrmException) return error;
  const name = (error as Error | undefined)?.name ?? '';
  if (DATABASE_UNAVAILABLE.has(name)) return new CrmException('CRM-0037');
  // The Fastify adapter wraps its client errors (body parser, limits) in an HttpException with the original as cause.
  const framework = ((error instanceof HttpException && error.cause) || error) as FrameworkError;
  if (framework?.code && FRAMEWORK_CODES[framework.code]) return new CrmException(FRAMEWORK_CODES[framework.code]);
  if (framework?.name === 'SyntaxError' && framework.statusCode === 400)
    return new CrmException('CRM-0004', { message: 'The request body is not valid JSON.' });
  const status = error instanceof HttpException ? error.getStatus() : (framework?.statusCode ?? framework?.status);
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new CrmException(STATUS_CODES[status] ?? 'CRM-0015');
  return undefined;
}

/**
 * The one place where errors become HTTP answers. Unknown errors become CRM-0014 with the
 * request id; their message is not logged or returned, since it may quote stored values.
 */
@Catch()
export class CrmExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('CrmExceptionFilter');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly routeMethods?: RouteMethods,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const known = toCrmException(error);
    let exception = known ?? new CrmException('CRM-0014');
    const request = rawRequestOf(context.getRequest()) as { url?: string; method?: string };
    const allowed = exception.code === 'CRM-0038' ? (this.routeMethods?.allowedFor(request.url ?? '') ?? []) : [];
    // A route that answers this method and still says 404 (a wildcard such as `/swagger/*` serving no such file)
    // means the resource is missing, not the method.
    if (allowed.length > 0 && !allowed.includes(request.method?.toUpperCase() ?? '')) {
      exception = new CrmException('CRM-0045');
      this.adapterHost.httpAdapter.setHeader(context.getResponse(), 'Allow', allowed.join(', '));
    }
    const requestId = requestIdOf(rawRequestOf(context.getRequest()));
    if (!known || exception.status >= 500) this.logFailure(error, requestId);
    const body = { ...exception.toEnvelope(), ...(exception.status >= 500 ? { requestId } : {}) };
    this.adapterHost.httpAdapter.reply(context.getResponse(), body, exception.status);
  }

  private logFailure(error: unknown, requestId: string): void {
    const failure = error as Error & { code?: unknown };
    // The stack without its first line: the message may carry stored values, the frames do not.
    const frames = typeof failure?.stack === 'string' ? failure.stack.split('\n').slice(1, 8).join('\n') : undefined;
    this.logger.error({ requestId, errorName: failure?.name, errorCode: failure?.code, frames }, 'request failed');
  }
}
