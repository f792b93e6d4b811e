import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CrmException, ErrorCode } from '@crm/errors';

/** Node's parser errors that have an HTTP status of their own; the rest are a plain 400. */
const PARSER_CODES: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'CRM-0047',
  ERR_HTTP_REQUEST_TIMEOUT: 'CRM-0048',
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (a lowercase method, a space in
 * the path, oversized headers) never reaches Fastify's routing, so without this it gets the framework's
 * own `{"error":"Bad Request"}` body instead of the error envelope every other answer carries.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const exception = new CrmException(PARSER_CODES[error.code ?? ''] ?? 'CRM-0015');
  const body = JSON.stringify(exception.toEnvelope());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${exception.status} ${STATUS_CODES[exception.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
