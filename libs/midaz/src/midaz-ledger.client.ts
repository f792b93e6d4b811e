import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import type CircuitBreaker from 'opossum';
import { LRUCache } from 'lru-cache';
import { Agent, Dispatcher, interceptors, request } from 'undici';
import { failFastBreaker } from '@crm/circuit-breaker';
import { APP_CONFIG, AppConfig, MidazConfig } from '@crm/config';
import { CrmException, ErrorCode } from '@crm/errors';

/** A ledger account as the CRM links it. */
export interface LedgerAccountRef {
  organizationId: string;
  ledgerId: string;
  accountId: string;
}

/** What the caller's request lends to the Midaz call. */
export interface MidazCallContext {
  authorization?: string;
  requestId?: string;
}

/** Midaz answered 5xx (after retries) or could not be reached: counts against the breaker. */
class MidazUnavailableError extends Error {
  constructor(readonly statusCode?: number) {
    super(statusCode ? `Midaz answered ${statusCode}` : 'Midaz unreachable');
    this.name = 'MidazUnavailableError';
  }
}

const RETRIED_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
];

/**
 * Checks in the Midaz ledger API that a ledger exists in an organization and an account in that
 * ledger. Per-call timeout and bounded retries with backoff (undici's retry interceptor, for these
 * idempotent GETs), a circuit breaker that fails fast while Midaz is down (opossum), and a short-TTL
 * cache of positive answers (lru-cache), so a burst of aliases for one ledger does not hammer Midaz.
 */
@Injectable()
export class MidazLedgerClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MidazLedgerClient');
  private readonly settings: MidazConfig;
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly breaker: CircuitBreaker<[string, MidazCallContext], number>;
  private readonly known: LRUCache<string, true>;

  // Latency by outcome and the circuit state; no-ops unless telemetry was started first.
  private readonly callDuration = metrics
    .getMeter('crm.midaz')
    .createHistogram('crm.midaz.request.duration', { unit: 'ms', description: 'Midaz ledger calls, retries included' });

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.settings = config.midaz;
    const timeout = this.settings.timeoutMs;
    this.agent = new Agent({ headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout });
    this.dispatcher = this.agent.compose(
      interceptors.retry({
        maxRetries: this.settings.retries,
        minTimeout: 100,
        maxTimeout: 1000,
        timeoutFactor: 2,
        methods: ['GET'],
        statusCodes: [500, 502, 503, 504],
        errorCodes: RETRIED_ERROR_CODES,
        throwOnError: false,
      }),
    );
    // The breaker sets no timeout: the agent bounds each attempt.
    this.breaker = failFastBreaker(
      (path: string, context: MidazCallContext) => this.getStatus(path, context),
      this.settings.breakerResetMs,
    );
    this.breaker.on('open', () => this.logger.warn('Midaz circuit open: alias checks fail fast'));
    this.breaker.on('close', () => this.logger.log('Midaz circuit closed'));
    this.known = new LRUCache<string, true>({ max: 10_000, ttl: Math.max(this.settings.cacheTtlMs, 1) });
    metrics
      .getMeter('crm.midaz')
      .createObservableGauge('crm.midaz.circuit.open', { description: '1 while the Midaz circuit breaker is open' })
      .addCallback((result) => result.observe(this.breaker.opened ? 1 : 0));
  }

  onModuleInit(): void {
    if (!this.settings.validation) {
      this.logger.warn(
        'MIDAZ_VALIDATION is off (no MIDAZ_LEDGER_URL): alias accounts are NOT checked against the ledger',
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.breaker.shutdown();
    await this.agent.close();
  }

  get enabled(): boolean {
    return this.settings.validation;
  }

  get circuit(): 'closed' | 'open' | 'half-open' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Resolves when the ledger and the account exist; otherwise 422 CRM-0030/0031, 403 CRM-0040 or 503 CRM-0032. */
  async assertAccountExists(account: LedgerAccountRef, context: MidazCallContext): Promise<void> {
    if (!this.enabled) return;
    const ledgerPath = `/v1/organizations/${encodeURIComponent(account.organizationId)}/ledgers/${encodeURIComponent(account.ledgerId)}`;
    await this.assertExists(ledgerPath, 'CRM-0030', 'Ledger', context);
    await this.assertExists(
      `${ledgerPath}/accounts/${encodeURIComponent(account.accountId)}`,
      'CRM-0031',
      'Account',
      context,
    );
  }

  /** Whether Midaz answers its health route now (for the readiness report; never throws). */
  async reachable(): Promise<boolean> {
    try {
      const { statusCode, body } = await request(`${this.settings.ledgerUrl}/health`, {
        dispatcher: this.agent,
        method: 'GET',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      await body.dump();
      return statusCode < 500;
    } catch {
      return false;
    }
  }

  private async assertExists(
    path: string,
    notFound: ErrorCode,
    entityType: string,
    context: MidazCallContext,
  ): Promise<void> {
    if (this.settings.cacheTtlMs > 0 && this.known.has(path)) return;
    let status: number;
    try {
      status = await this.breaker.fire(path, context);
    } catch (error) {
      const message = this.breaker.opened
        ? 'Midaz is unavailable (circuit open); nothing was stored. Try again later.'
        : undefined;
      this.logger.warn(
        {
          requestId: context.requestId,
          errorName: (error as Error).name,
          statusCode: (error as MidazUnavailableError).statusCode,
          circuit: this.circuit,
        },
        'Midaz call failed',
      );
      throw new CrmException('CRM-0032', { entityType, ...(message ? { message } : {}) });
    }
    if (status === 401 || status === 403) throw new CrmException('CRM-0040', { entityType });
    if (status === 404 || (status >= 400 && status < 500)) throw new CrmException(notFound, { entityType });
    if (this.settings.cacheTtlMs > 0) this.known.set(path, true);
  }

  private async getStatus(path: string, context: MidazCallContext): Promise<number> {
    const authorization = this.settings.authToken ? `Bearer ${this.settings.authToken}` : context.authorization;
    const started = performance.now();
    let statusCode: number;
    try {
      const response = await request(`${this.settings.ledgerUrl}${path}`, {
        dispatcher: this.dispatcher,
        method: 'GET',
        headers: {
          accept: 'application/json',
          ...(authorization ? { authorization } : {}),
          ...(context.requestId ? { 'x-request-id': context.requestId } : {}),
        },
      });
      statusCode = response.statusCode;
      await response.body.dump();
    } catch {
      this.callDuration.record(performance.now() - started, { outcome: 'unreachable' });
      throw new MidazUnavailableError();
    }
    this.callDuration.record(performance.now() - started, {
      outcome: statusCode >= 500 ? 'server_error' : statusCode >= 400 ? 'client_error' : 'ok',
    });
    if (statusCode >= 500) throw new MidazUnavailableError(statusCode);
    return statusCode;
  }
}
