import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { personalDataKindIn } from '@crm/personal-data';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Set on an answer whose caller-sent request id was replaced, with the reason. */
export const REQUEST_ID_REPLACED_HEADER = 'x-request-id-replaced';
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type RawRequest = IncomingMessage & { id?: unknown };

/**
 * The request id of a raw Node request: the caller's `X-Request-Id` when it is a sane token that holds
 * no personal data, otherwise a fresh UUID. Computed once and kept on the request, so the logger, the error
 * filter and the response header all agree.
 */
export function requestIdOf(request: RawRequest): string {
  if (typeof request.id === 'string' && request.id) return request.id;
  const header = request.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  const refusal = candidate ? refusalOf(candidate) : undefined;
  if (refusal) replacedIds.set(request, refusal);
  const id = candidate && !refusal ? candidate : randomUUID();
  request.id = id;
  return id;
}

/** Why a caller's request id was replaced by a generated one. */
export type RequestIdRefusal = 'format' | 'personal-data';

const replacedIds = new WeakMap<IncomingMessage, RequestIdRefusal>();

/**
 * Request ids are echoed, logged and kept in the audit trail, so one that holds a CPF, a CNPJ or a card
 * number would put personal data in all three (an e-mail address fails the format). Phone numbers are
 * left out: only their separators tell them apart, and ids such as `order-2024-000123` have the same.
 */
function refusalOf(candidate: string): RequestIdRefusal | undefined {
  if (!ACCEPTABLE_ID.test(candidate)) return 'format';
  if (UUID.test(candidate)) return undefined; // random by construction, though its digit runs may pass a checksum
  const kind = personalDataKindIn(candidate);
  return kind && kind !== 'phone number' ? 'personal-data' : undefined;
}

/** Why the caller's `X-Request-Id` was not used (after requestIdOf), if it was sent and refused. */
export function requestIdRefusalOf(request: IncomingMessage): RequestIdRefusal | undefined {
  return replacedIds.get(request);
}

/** The raw Node request behind a framework request (Fastify wraps it in `.raw`, Express does not). */
export function rawRequestOf(request: unknown): RawRequest {
  const wrapped = request as { raw?: RawRequest };
  return wrapped.raw ?? (request as RawRequest);
}

/** What a call to another service carries on behalf of the caller. */
export interface CallerContext {
  requestId: string;
  authorization?: string;
}

/** Injects the caller's request id and Authorization header (forwarded to Midaz, never logged). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): CallerContext => {
  const raw = rawRequestOf(context.switchToHttp().getRequest());
  const authorization = raw.headers.authorization;
  return { requestId: requestIdOf(raw), ...(authorization ? { authorization } : {}) };
});
