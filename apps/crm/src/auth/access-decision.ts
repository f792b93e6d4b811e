import { CrmException, ErrorCode } from '@crm/errors';

/** Who made a request, as the audit trail records it. */
export interface Actor {
  subject: string;
  type: 'normal-user' | 'application' | 'jwt' | 'anonymous';
}

export const ANONYMOUS: Actor = { subject: 'anonymous', type: 'anonymous' };

/** An answer that ends the request before any validation or handler runs. */
export interface Denial {
  status: number;
  contentType: string;
  body: string;
  /** For metrics: why the request was stopped. */
  outcome: 'unauthenticated' | 'forbidden' | 'unavailable';
  headers?: Record<string, string>;
  /** The caller, when its token was verified but does not allow this request: the audit trail names it. */
  actor?: Actor;
}

export type AccessDecision = { allowed: true; actor: Actor } | { allowed: false; denial: Denial };

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * lib-auth's plain-text answers (Fiber's SendString), kept verbatim for wire compatibility; `actor` when
 * the refused caller is known.
 */
export function textDenial(
  status: 401 | 403,
  body: 'Missing Token' | 'Unauthorized' | 'Forbidden',
  actor?: Actor,
): AccessDecision {
  const outcome = status === 401 ? 'unauthenticated' : 'forbidden';
  return { allowed: false, denial: { status, contentType: TEXT, body, outcome, ...(actor ? { actor } : {}) } };
}

/** plugin-auth's own error reply, passed through with its status. */
export function jsonDenial(status: number, body: Record<string, unknown>): AccessDecision {
  return {
    allowed: false,
    denial: {
      status,
      contentType: JSON_TYPE,
      body: JSON.stringify(body),
      outcome: status === 401 ? 'unauthenticated' : 'forbidden',
    },
  };
}

/** One of this service's catalogued errors, in the usual envelope (5xx answers carry the request id). */
export function envelopeDenial(
  code: ErrorCode,
  requestId: string,
  { message, actor }: { message?: string; actor?: Actor } = {},
): AccessDecision {
  const exception = new CrmException(code, { message });
  const body = { ...exception.toEnvelope(), ...(exception.status >= 500 ? { requestId } : {}) };
  const outcome = exception.status === 401 ? 'unauthenticated' : exception.status === 403 ? 'forbidden' : 'unavailable';
  return {
    allowed: false,
    denial: {
      status: exception.status,
      contentType: JSON_TYPE,
      body: JSON.stringify(body),
      outcome,
      ...(exception.status === 401 ? { headers: { 'www-authenticate': 'Bearer' } } : {}),
      ...(actor ? { actor } : {}),
    },
  };
}
