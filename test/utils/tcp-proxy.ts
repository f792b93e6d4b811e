import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of the database. `cut()` drops every connection and refuses new
 * ones, as a database outage does; `restore()` accepts again on the same port. `pause()` holds what the
 * clients send (a database that stalls without dropping anyone) until `resume()`.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Map<Socket, Socket>();
  private paused = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forMongoUri(uri: string): TcpProxy {
    const { hostname, port } = new URL(uri);
    return new TcpProxy(hostname, Number(port || 27017));
  }

  /** The same URI, pointing at the proxy. */
  uriFor(uri: string): string {
    const url = new URL(uri);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      upstream.pipe(client);
      if (!this.paused) client.pipe(upstream);
      this.links.set(client, upstream);
      client.on('close', () => this.links.delete(client));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops forwarding what clients send (it is held, not lost); answers already on their way still arrive. */
  pause(): void {
    this.paused = true;
    for (const [client, upstream] of this.links) client.unpipe(upstream);
  }

  resume(): void {
    this.paused = false;
    for (const [client, upstream] of this.links) client.pipe(upstream);
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Accepts connections again (nothing to do when it already does). */
  async restore(): Promise<void> {
    if (!this.server?.listening) await this.start();
  }

  async stop(): Promise<void> {
    await this.cut().catch(() => undefined);
  }
}
