import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-server';

/** One `POST /v1/authorize` exactly as received: method, path, headers and the raw body bytes. */
export interface AuthorizeCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the fake answers one call: a status and a raw body (JSON or not). */
export interface AuthorizeReply {
  status: number;
  body: string;
}

/**
 * A real HTTP server on loopback that plays Lerian's plugin-auth `POST /v1/authorize`. Every call is
 * recorded byte for byte; the answer comes from `decide` (default: authorized), so tests can play
 * every row of lib-auth's contract, slow answers and outages.
 */
export class FakePluginAuth extends LoopbackHttpServer {
  readonly calls: AuthorizeCall[] = [];
  decide: (call: AuthorizeCall) => AuthorizeReply = () => ({ status: 200, body: '{"authorized":true}' });
  delayMs = 0;

  /** Answers every call with this JSON value (or raw text) and status. */
  answer(status: number, body: unknown): void {
    this.decide = () => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const call = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.calls.push(call);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const reply = this.decide(call);
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(reply.body);
  }
}
