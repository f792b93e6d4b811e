import type { IncomingHttpHeaders } from 'node:http';
import { CrmException } from '@crm/errors';

/** The IETF header (draft-ietf-httpapi-idempotency-key-header) and Midaz v4's, which callers may send either of. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const X_IDEMPOTENCY_HEADER = 'x-idempotency';
/** Midaz v4's: how long, in seconds, the key (and the first answer) is kept. */
export const X_TTL_HEADER = 'x-ttl';
/** On a replayed answer only. */
export const REPLAYED_HEADER = 'x-idempotency-replayed';
export const DEFAULT_TTL_SECONDS = 300;

/** What a request asks of idempotency: its key and how long to keep it. */
export interface IdempotencyHeaders {
  key: string;
  ttlSeconds: number;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
/** An RFC 8941 sf-string, as the IETF draft has the key sent: printable ASCII in quotes, `"` and `\` escaped. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
const TTL = /^\d{1,10}$/;

function invalidHeader(header: string, problem: string): CrmException {
  return new CrmException('CRM-0022', {
    message: `The ${header} header is invalid: it ${problem}.`,
    fields: { [header]: problem },
  });
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The key of the IETF header, unquoted when sent as an sf-string (`"abc"` and `abc` are one key). */
function unquoted(value: string): string {
  const quoted = SF_STRING.exec(value);
  return quoted ? quoted[1].replace(/\\(["\\])/g, '$1') : value;
}

function checkedKey(header: string, value: string): string {
  if (!KEY.test(value)) throw invalidHeader(header, 'must be 1 to 255 visible ASCII characters');
  return value;
}

/** The key a request sends, in either header; both sent must agree. Undefined when neither is. */
function keyOf(headers: IncomingHttpHeaders): string | undefined {
  const ietf = single(headers, IDEMPOTENCY_KEY_HEADER);
  const midaz = single(headers, X_IDEMPOTENCY_HEADER);
  const fromIetf = ietf === undefined ? undefined : checkedKey('Idempotency-Key', unquoted(ietf));
  const fromMidaz = midaz === undefined ? undefined : checkedKey('X-Idempotency', midaz);
  if (fromIetf !== undefined && fromMidaz !== undefined && fromIetf !== fromMidaz)
    throw invalidHeader('Idempotency-Key', 'differs from X-Idempotency (send one, or the same key in both)');
  return fromIetf ?? fromMidaz;
}

function ttlOf(headers: IncomingHttpHeaders, maxTtlSeconds: number): number {
  const value = single(headers, X_TTL_HEADER);
  if (value === undefined) return Math.min(DEFAULT_TTL_SECONDS, maxTtlSeconds);
  const seconds = TTL.test(value) ? Number(value) : NaN;
  if (!(seconds >= 1 && seconds <= maxTtlSeconds))
    throw invalidHeader('X-TTL', `must be a whole number of seconds from 1 to ${maxTtlSeconds}`);
  return seconds;
}

/**
 * The idempotency a request asks for, or undefined when it sends no key (then X-TTL is ignored and the
 * request runs as ever). A malformed key or X-TTL, or two keys that differ, is 400 CRM-0022.
 */
export function idempotencyHeadersOf(
  headers: IncomingHttpHeaders,
  maxTtlSeconds: number,
): IdempotencyHeaders | undefined {
  const key = keyOf(headers);
  return key === undefined ? undefined : { key, ttlSeconds: ttlOf(headers, maxTtlSeconds) };
}
