import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { metrics } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validate as isUuid } from 'uuid';
import { ORGANIZATION_HEADER, REQUEST_ID_HEADER, requestIdOf } from '@crm/http';
import { AccessDecision, Actor, envelopeDenial } from './access-decision';
import { CALLER_AUTHORIZER, CallerAuthorizer } from './caller-authorizer';
import type { RoutePermission } from './permission';
import { BUSINESS_ROUTE, RoutePermissions } from './route-permissions';

/** What the access check learned about a request, for the audit trail. */
export interface RequestAccess {
  permission: RoutePermission;
  actor?: Actor;
}

const accessByRequest = new WeakMap<IncomingMessage, RequestAccess>();

/** The permission and actor of a business request; undefined for public routes. */
export function requestAccessOf(raw: IncomingMessage): RequestAccess | undefined {
  return accessByRequest.get(raw);
}

/** The business permission of a matched route, noted on the request for the hooks that follow. */
export function resolveRequestPermission(
  permissions: RoutePermissions,
  request: FastifyRequest,
): RoutePermission | undefined {
  const existing = accessByRequest.get(request.raw);
  if (existing) return existing.permission;
  const permission = permissions.of(request.method, request.routeOptions.url);
  if (permission) accessByRequest.set(request.raw, { permission });
  return permission;
}

const meter = metrics.getMeter('crm.auth');
const decisions = meter.createCounter('crm.auth.decisions', {
  description: 'Access decisions on business routes, by mode and outcome',
});
const latency = meter.createHistogram('crm.auth.duration', {
  unit: 'ms',
  description: 'Time to decide access (plugin-auth call or token verification)',
});

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Decides access in a Fastify `onRequest` hook, so it runs before the body is parsed and before any
 * path, header or body validation: a request without a token gets 401 even when its UUID or JSON is
 * malformed, as in the original. Registered after Nest's middleware (request id, request log line).
 */
export function installAccessControl(app: NestFastifyApplication): void {
  const authorizer = app.get<CallerAuthorizer>(CALLER_AUTHORIZER);
  const permissions = app.get(RoutePermissions);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    const permission = resolveRequestPermission(permissions, request);
    const requestId = requestIdOf(request.raw);
    if (!permission) {
      // With auth on, a business route without a declared permission is a programming error: fail closed.
      if (authorizer.mode !== 'none' && route && BUSINESS_ROUTE.test(route))
        return deny(
          reply,
          envelopeDenial('CRM-0043', requestId, { message: 'This route declares no permission.' }),
          requestId,
        );
      return;
    }
    const organization = headerOf(request, ORGANIZATION_HEADER);
    const started = performance.now();
    const decision = await authorizer.authorize(
      headerOf(request, 'authorization'),
      permission,
      organization && isUuid(organization) ? organization : undefined,
      requestId,
    );
    const outcome = decision.allowed ? 'allowed' : decision.denial.outcome;
    decisions.add(1, { mode: authorizer.mode, outcome });
    latency.record(performance.now() - started, { mode: authorizer.mode, outcome });
    accessByRequest.get(request.raw)!.actor = decision.allowed ? decision.actor : decision.denial.actor;
    if (!decision.allowed) return deny(reply, decision, requestId);
  });
}

function deny(reply: FastifyReply, decision: AccessDecision, requestId: string): FastifyReply {
  const { denial } = decision as Extract<AccessDecision, { allowed: false }>;
  return reply
    .code(denial.status)
    .headers({ ...denial.headers, [REQUEST_ID_HEADER]: requestId })
    .type(denial.contentType)
    .send(denial.body);
}
