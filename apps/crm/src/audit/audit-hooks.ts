import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ORGANIZATION_HEADER, REQUEST_ID_HEADER, requestIdOf } from '@crm/http';
import { CrmException } from '@crm/errors';
import { requestAccessOf, resolveRequestPermission } from '../auth/access-control';
import { RoutePermissions } from '../auth/route-permissions';
import { addToRequestLog } from '../logging/request-log';
import { auditEventOf } from './audit-event.builder';
import { AuditSlot, AuditTrail } from './audit-trail';

const slots = new WeakMap<IncomingMessage, AuditSlot | null>();

/**
 * Audits every request to a business route: a queue slot is taken first (before authentication, so
 * refused attempts are recorded too), and the event is queued in `onSend`, when the status and the
 * response are known. Must be installed before the access control hook.
 */
export function installAuditTrail(app: NestFastifyApplication): void {
  const trail = app.get(AuditTrail);
  const permissions = app.get(RoutePermissions);
  if (trail.mode === 'off') return;
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!resolveRequestPermission(permissions, request)) return;
    const slot = trail.reserve();
    slots.set(request.raw, slot ?? null);
    if (slot) {
      reply.raw.once('close', () => trail.release(slot));
      return;
    }
    if (trail.mode === 'required') {
      const requestId = requestIdOf(request.raw);
      trail.refused(requestId);
      const exception = new CrmException('CRM-0044');
      return reply
        .code(exception.status)
        .header(REQUEST_ID_HEADER, requestId)
        .send({ ...exception.toEnvelope(), requestId });
    }
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const access = requestAccessOf(request.raw);
    if (!access || !slots.has(request.raw)) return payload;
    const slot = slots.get(request.raw) ?? undefined;
    if (!slot && trail.mode === 'required') return payload; // refused above: nothing ran
    const organization = request.headers[ORGANIZATION_HEADER];
    const event = auditEventOf({
      permission: access.permission,
      actor: access.actor,
      organizationHeader: Array.isArray(organization) ? organization[0] : organization,
      params: request.params as Record<string, string> | undefined,
      body: request.body,
      status: reply.statusCode,
      payload,
      requestId: requestIdOf(request.raw),
    });
    // SIEMs read the trail from the logs too: the event goes on the request's own line.
    if (trail.record(event, slot)) addToRequestLog(request.raw, { audit: event });
    return payload;
  });
}
