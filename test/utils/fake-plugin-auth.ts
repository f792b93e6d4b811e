import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

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
export class FakePluginAuth {
  readonly calls: AuthorizeCall[] = [];
  decide: (call: AuthorizeCall) => AuthorizeReply = () => ({ status: 200, body: '{"authorized":true}' });
  delayMs = 0;
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers every call with this JSON value (or raw text) and status. */
  answer(status: number, body: unknown): void {
    this.decide = () => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops listening and drops connections (calls fail with ECONNREFUSED); `start()` again restores it. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const call = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.calls.push(call);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const reply = this.decide(call);
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(reply.body);
  }
}
