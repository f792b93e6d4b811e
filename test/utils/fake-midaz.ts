import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-server';

export interface MidazCall {
  path: string;
  authorization?: string;
  requestId?: string;
}

/**
 * A real HTTP server on loopback that plays the Midaz ledger API for the two routes the CRM calls
 * (GET ledger, GET account, as in the reference ledger OpenAPI), plus /health. It can answer 404s in
 * Midaz's error format, fail with 500s, answer slowly, or go down entirely.
 */
export class FakeMidaz extends LoopbackHttpServer {
  readonly calls: MidazCall[] = [];
  private readonly accounts = new Map<string, Set<string>>();
  private failures = 0;
  delayMs = 0;

  // Ids compare case-insensitively, as in Midaz (UUIDs parsed, stored as PostgreSQL uuid).
  addAccount(organizationId: string, ledgerId: string, accountId: string): void {
    this.addLedger(organizationId, ledgerId);
    this.accounts.get(`${organizationId}/${ledgerId}`.toLowerCase())!.add(accountId.toLowerCase());
  }

  addLedger(organizationId: string, ledgerId: string): void {
    const key = `${organizationId}/${ledgerId}`.toLowerCase();
    if (!this.accounts.has(key)) this.accounts.set(key, new Set());
  }

  /** The next `count` ledger/account requests answer 500. */
  failNext(count: number): void {
    this.failures = count;
  }

  callsTo(pathPart: string): MidazCall[] {
    return this.calls.filter((call) => call.path.includes(pathPart));
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '';
    if (path === '/health') return this.reply(response, 200, { status: 'healthy' });
    this.calls.push({
      path,
      authorization: request.headers.authorization,
      requestId: request.headers['x-request-id'] as string | undefined,
    });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failures > 0) {
      this.failures--;
      return this.reply(response, 500, {
        code: '0046',
        title: 'Internal Server Error',
        message: 'The server encountered an unexpected error.',
      });
    }
    const match = /^\/v1\/organizations\/([^/]+)\/ledgers\/([^/]+)(?:\/accounts\/([^/]+))?$/.exec(path);
    if (!match || request.method !== 'GET')
      return this.reply(response, 404, { code: '0000', title: 'Not Found', message: 'route not found' });
    const [, organizationId, ledgerId, accountId] = match.map((part) => part?.toLowerCase());
    const accounts = this.accounts.get(`${organizationId}/${ledgerId}`);
    if (!accounts) {
      return this.reply(response, 404, {
        code: '0037',
        title: 'Ledger ID Not Found',
        message: 'The provided ledger ID does not exist in our records.',
        entityType: 'Ledger',
      });
    }
    if (accountId === undefined) {
      return this.reply(response, 200, {
        id: ledgerId,
        organizationId,
        name: 'Fake ledger',
        status: { code: 'ACTIVE' },
        createdAt: new Date().toISOString(),
      });
    }
    if (!accounts.has(accountId)) {
      return this.reply(response, 404, {
        code: '0052',
        title: 'Account ID Not Found',
        message: 'The provided account ID does not exist in our records.',
        entityType: 'Account',
      });
    }
    return this.reply(response, 200, {
      id: accountId,
      ledgerId,
      organizationId,
      name: 'Fake account',
      assetCode: 'BRL',
      type: 'deposit',
      status: { code: 'ACTIVE' },
    });
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
