import type { IncomingMessage } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ORGANIZATION_HEADER, REQUEST_ID_HEADER, REQUEST_ID_REPLACED_HEADER, requestIdOf } from '@crm/http';
import { CrmException } from '@crm/errors';
import { requestAccessOf, resolveRequestPermission } from '../auth/access-control';
import { RoutePermissions } from '../auth/route-permissions';
import { addToRequestLog } from '../logging/request-log';
import { auditEventOf } from './audit-event.builder';
import { AuditSlot, AuditTrail } from './audit-trail';
import { isReplay } from './replays';
import { revealOf } from './reveals';

const slots = new WeakMap<IncomingMessage, AuditSlot | null>();

/**
 * Audits every request to a business route: a queue slot is taken first (before authentication, so
 * refused attempts are recorded too), and the event is queued in `onSend`, when the status and the
 * response are known; in required mode the answer waits there until the event is stored. Must be
 * installed before the access control hook.
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
      return reply
        .code(AUDIT_UNAVAILABLE.status)
        .header(REQUEST_ID_HEADER, requestId)
        .send({ ...AUDIT_UNAVAILABLE.toEnvelope(), requestId });
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
      replay: isReplay(request.raw),
      reveal: revealOf(request.raw),
    });
    const stored = await trail.record(event, slot);
    // SIEMs read the trail from the logs too: the event goes on the request's own line.
    if (stored || trail.mode === 'required') addToRequestLog(request.raw, { audit: event });
    if (stored || trail.mode !== 'required') return payload;
    return withheld(reply, requestIdOf(request.raw));
  });
}

const AUDIT_UNAVAILABLE = new CrmException('CRM-0044');
const AUDIT_UNCONFIRMED = new CrmException('CRM-0044', {
  message:
    'The request could not be recorded in the audit trail in time, so its answer is withheld. A change it made ' +
    'stands and is recorded once the trail can be written: check before retrying.',
});

/** Replaces an answer whose event was not stored (required mode): the caller learns nothing it asked for. */
function withheld(reply: FastifyReply, requestId: string): string {
  for (const header of Object.keys(reply.getHeaders()))
    if (header !== REQUEST_ID_HEADER && header !== REQUEST_ID_REPLACED_HEADER) reply.removeHeader(header);
  void reply
    .code(AUDIT_UNCONFIRMED.status)
    .header(REQUEST_ID_HEADER, requestId)
    .type('application/json; charset=utf-8');
  return JSON.stringify({ ...AUDIT_UNCONFIRMED.toEnvelope(), requestId });
}
