import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, defer, from, map, Observable, of, throwError } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import type { TenantContext } from '@crm/http';
import { requestAccessOf } from '../auth/access-control';
import { noteReplay } from '../audit/replays';
import { IDEMPOTENT_CREATE } from './idempotent-create.decorator';
import { idempotencyHeadersOf, IdempotencyHeaders, REPLAYED_HEADER } from './idempotency-headers';
import { IdempotencyScope, IdempotentCreates, Ticket } from './idempotent-creates';

type ScopedRequest = FastifyRequest & { tenant?: TenantContext };

/** The status of a create that ran: the routes it applies to answer 201 on success. */
const CREATED = 201;
/** Most creates finish within a second; a crashed claim is taken over once CLAIM_TIMEOUT_MS has passed. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Makes the handlers marked `@IdempotentCreate()` idempotent for requests that send a key. Runs after the
 * guards (authentication in the onRequest hook, the organization guard), so the caller and organization
 * are known, and before validation: a request that fails validation releases its key like any failure.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly creates: IdempotentCreates,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get<boolean>(IDEMPOTENT_CREATE, context.getHandler()))
      return next.handle();
    return defer(() => {
      const request = context.switchToHttp().getRequest<ScopedRequest>();
      const headers = idempotencyHeadersOf(request.headers, this.config.idempotency.maxTtlSeconds);
      if (!headers) return next.handle();
      return this.idempotent(request, context.switchToHttp().getResponse<FastifyReply>(), headers, next);
    });
  }

  private idempotent(
    request: ScopedRequest,
    reply: FastifyReply,
    { key, ttlSeconds }: IdempotencyHeaders,
    next: CallHandler,
  ): Observable<unknown> {
    const begin = this.creates.begin({ scope: scopeOf(request), key, body: request.body, ttlSeconds });
    return from(begin).pipe(
      concatMap((begun) => {
        if (begun.kind === 'run') return this.run(begun.ticket, next);
        if (begun.kind === 'in-flight') {
          void reply.header('retry-after', RETRY_AFTER_SECONDS);
          return throwError(() => new CrmException('CRM-0051'));
        }
        void reply.header(REPLAYED_HEADER, 'true');
        noteReplay(request.raw);
        return of(JSON.parse(begun.answer) as unknown);
      }),
    );
  }

  /** Runs the handler: its answer is stored for replays; a failure releases the key and is answered as ever. */
  private run(ticket: Ticket, next: CallHandler): Observable<unknown> {
    return (next.handle() as Observable<unknown>).pipe(
      catchError((error: unknown) => from(this.creates.abandon(ticket)).pipe(concatMap(() => throwError(() => error)))),
      concatMap((body) => from(this.creates.finish(ticket, CREATED, body)).pipe(map(() => body))),
    );
  }
}

/** Organization, route, holder (for aliases) and caller: one caller never replays another's create. */
function scopeOf(request: ScopedRequest): IdempotencyScope {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const actor = requestAccessOf(request.raw)?.actor;
  return {
    organizationId: request.tenant!.organizationId,
    route: `${request.method} ${request.routeOptions.url ?? ''}`,
    ...(params.holder_id !== undefined ? { holderId: params.holder_id.toLowerCase() } : {}),
    caller: actor ? `${actor.type}:${actor.subject}` : 'anonymous',
  };
}
