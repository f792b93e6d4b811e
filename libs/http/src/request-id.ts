import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type RawRequest = IncomingMessage & { id?: unknown };

/**
 * The request id of a raw Node request: the caller's `X-Request-Id` when it is a sane token,
 * otherwise a fresh UUID. Computed once and kept on the request, so the logger, the error
 * filter and the response header all agree.
 */
export function requestIdOf(request: RawRequest): string {
  if (typeof request.id === 'string' && request.id) return request.id;
  const header = request.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && ACCEPTABLE_ID.test(candidate) ? candidate : randomUUID();
  request.id = id;
  return id;
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
