import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdOf } from '@crm/http';

/** Echoes the request id on every response, so callers can quote it. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    response.setHeader(REQUEST_ID_HEADER, requestIdOf(request));
    next();
  }
}
