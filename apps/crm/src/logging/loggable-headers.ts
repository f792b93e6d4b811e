import type { IncomingHttpHeaders } from 'node:http';
import { validate as isUuid } from 'uuid';
import { personalDataKind, personalDataKindIn } from '@crm/personal-data';
import { INVALID, REDACTED } from './loggable-url';

/** Long enough to tell clients apart, short enough that free text appended to an agent string is cut. */
export const USER_AGENT_MAX_LENGTH = 100;

const HOST = /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const MEDIA_TYPE = /^[\w.+-]{1,64}\/[\w.+-]{1,64}(?:\s*;\s*charset=[\w-]{1,32})?$/i;
const CONTENT_LENGTH = /^\d{1,15}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The user agent cut to its first characters, any word of it that looks like personal data masked. */
export function loggableUserAgent(userAgent: string): string {
  return userAgent
    .slice(0, USER_AGENT_MAX_LENGTH)
    .split(/(\s+)/)
    .map((word) => (personalDataKindIn(word) ? REDACTED : word))
    .join('');
}

/**
 * The request headers logs and spans may show, each only in a valid form. Every other header
 * (Referer with a back-office's search, Proxy-Authorization, Cookie, custom `X-Customer-*`…) is
 * left out, name and value: headers are for the caller to fill, and a browser fills them unasked.
 */
const ALLOWED: Record<string, (value: string, requestId: string | undefined) => string> = {
  host: (value) => (HOST.test(value) && !personalDataKind(value.replace(/:\d+$/, '')) ? value : INVALID),
  'content-type': (value) => (MEDIA_TYPE.test(value) ? value : INVALID),
  'content-length': (value) => (CONTENT_LENGTH.test(value) ? value : INVALID),
  'user-agent': loggableUserAgent,
  // The request id in force is the caller's only when it was a sane token (see requestIdOf).
  'x-request-id': (value, requestId) => (value === requestId ? value : INVALID),
  'x-organization-id': (value) => (isUuid(value) ? value : INVALID),
  traceparent: (value) => (TRACEPARENT.test(value) ? value : INVALID),
};

export function loggableHeaders(headers: IncomingHttpHeaders, requestId: string | undefined): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, show] of Object.entries(ALLOWED)) {
    const value = headers[name];
    if (value === undefined) continue;
    shown[name] = typeof value === 'string' ? show(value, requestId) : INVALID;
  }
  return shown;
}
