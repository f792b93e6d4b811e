import { createHash } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type CircuitBreaker from 'opossum';
import { LRUCache } from 'lru-cache';
import { Agent, request } from 'undici';
import { failFastBreaker } from '@crm/circuit-breaker';
import type { LerianAuthConfig } from '@crm/config';
import { AccessDecision, Actor, envelopeDenial, jsonDenial, textDenial } from './access-decision';
import { authorizeRequestBody, LerianSubject, lerianSubjectOf, lerianTokenOf } from './bearer-token';
import type { CallerAuthorizer, RevealDecision } from './caller-authorizer';
import { REVEAL_PERMISSION, RoutePermission } from './permission';

/** plugin-auth could not give an answer: unreachable, timed out, 5xx, or not JSON. Counts against the breaker. */
class PluginAuthUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`plugin-auth unavailable: ${reason}`);
    this.name = 'PluginAuthUnavailableError';
  }
}

interface PluginAuthReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Speaks Lerian's plugin-auth protocol as lib-auth v2.9 does (one `POST /v1/authorize` per request),
 * with what the original lacks: a per-call timeout, a circuit breaker that fails fast while plugin-auth
 * is down, answers of 503 instead of a bare 500, and an optional short cache of positive decisions.
 */
@Injectable()
export class PluginAuthClient implements CallerAuthorizer, OnModuleDestroy {
  readonly mode = 'lerian' as const;
  private readonly logger = new Logger('PluginAuthClient');
  private readonly agent: Agent;
  private readonly breaker: CircuitBreaker<[string, string, string], PluginAuthReply>;
  private readonly allowed?: LRUCache<string, Actor>;

  constructor(private readonly settings: LerianAuthConfig) {
    const timeout = settings.timeoutMs;
    this.agent = new Agent({ headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout });
    // The breaker sets no timeout: the agent bounds each call.
    this.breaker = failFastBreaker(
      (token: string, body: string, requestId: string) => this.post(token, body, requestId),
      settings.breakerResetMs,
    );
    this.breaker.on('open', () => this.logger.warn('plugin-auth circuit open: business requests answer 503 CRM-0041'));
    this.breaker.on('close', () => this.logger.log('plugin-auth circuit closed'));
    if (settings.cacheTtlMs > 0) this.allowed = new LRUCache<string, Actor>({ max: 10_000, ttl: settings.cacheTtlMs });
  }

  async onModuleDestroy(): Promise<void> {
    this.breaker.shutdown();
    await this.agent.close();
  }

  get circuit(): 'closed' | 'open' | 'half-open' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** lib-auth's decision for this `Authorization` header and permission (plugin-auth takes no organization). */
  async authorize(
    authorization: string | undefined,
    permission: RoutePermission,
    _organizationId: string | undefined,
    requestId: string,
  ): Promise<AccessDecision> {
    const token = lerianTokenOf(authorization);
    if (!token) return textDenial(401, 'Missing Token');
    const subject = lerianSubjectOf(token);
    if (!subject) return textDenial(401, 'Unauthorized');
    const cacheKey =
      this.allowed &&
      `${createHash('sha256').update(token).digest('base64url')}|${permission.resource}|${permission.action}`;
    const cached = cacheKey ? this.allowed?.get(cacheKey) : undefined;
    if (cached) return { allowed: true, actor: cached };

    let reply: PluginAuthReply;
    try {
      reply = await this.breaker.fire(
        token,
        authorizeRequestBody(subject, permission.resource, permission.action),
        requestId,
      );
    } catch (error) {
      this.logger.warn(
        {
          requestId,
          errorName: (error as Error).name,
          reason: (error as PluginAuthUnavailableError).reason,
          circuit: this.circuit,
        },
        'plugin-auth call failed',
      );
      return envelopeDenial(
        'CRM-0041',
        requestId,
        this.breaker.opened
          ? { message: 'The authorization service is unavailable (circuit open). Try again later.' }
          : {},
      );
    }
    return this.decide(reply, subject, cacheKey);
  }

  /** plugin-auth grants reveals as one resource/action pair (`personal-data`/`reveal`), asked and cached like the others. */
  async mayReveal(authorization: string | undefined, _groups: unknown, requestId: string): Promise<RevealDecision> {
    const decision = await this.authorize(authorization, REVEAL_PERMISSION, undefined, requestId);
    if (decision.allowed) return { allowed: true };
    if (decision.denial.outcome === 'unavailable') return { allowed: false, unavailable: true };
    return { allowed: false, missingPermission: `${REVEAL_PERMISSION.resource}/${REVEAL_PERMISSION.action}` };
  }

  /**
   * Only a 2xx answer whose body says `authorized: true` grants. lib-auth reads the body alone, so a
   * 401 or a redirect that says `authorized: true` lets its caller through; here the status counts too.
   */
  private decide({ status, body }: PluginAuthReply, subject: LerianSubject, cacheKey?: string): AccessDecision {
    const success = status >= 200 && status < 300;
    if (!success) {
      if (hasCode(body)) return jsonDenial(status, passThroughError(body));
      return status === 401 ? textDenial(401, 'Unauthorized') : textDenial(403, 'Forbidden');
    }
    // An explicit refusal is plugin-auth's judgement of this token's subject, reached once it verified
    // the token: the audit trail names the caller. Any other reply vouches for no one.
    if (body.authorized === false) return textDenial(403, 'Forbidden', actorOf(subject));
    if (body.authorized !== true || hasCode(body)) return textDenial(403, 'Forbidden');
    const actor = actorOf(subject);
    if (cacheKey) this.allowed?.set(cacheKey, actor);
    return { allowed: true, actor };
  }

  private async post(token: string, body: string, requestId: string): Promise<PluginAuthReply> {
    const headers: Record<string, string> = {
      authorization: token,
      'content-type': 'application/json',
      'x-request-id': requestId,
    };
    // Trace context (traceparent) is added by the undici instrumentation when telemetry runs.
    let status: number;
    let text: string;
    try {
      const response = await request(`${this.settings.address}/v1/authorize`, {
        dispatcher: this.agent,
        method: 'POST',
        headers,
        body,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new PluginAuthUnavailableError((error as { code?: string }).code ?? 'unreachable');
    }
    // Only 2xx and 4xx answers are decisions; a redirect or a 5xx says nothing about the caller.
    if (status < 200 || (status >= 300 && status < 400) || status >= 500)
      throw new PluginAuthUnavailableError(`status ${status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PluginAuthUnavailableError('reply is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new PluginAuthUnavailableError('reply is not a JSON object');
    return { status, body: parsed as Record<string, unknown> };
  }
}

function hasCode(body: Record<string, unknown>): boolean {
  return (typeof body.code === 'string' && body.code !== '') || typeof body.code === 'number';
}

/** lib-auth's error shape: `{entityType?, title?, message?, code}` with empty fields omitted. */
function passThroughError(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['entityType', 'title', 'message'] as const) {
    if (typeof body[key] === 'string' && body[key] !== '') out[key] = body[key];
  }
  out.code = body.code;
  return out;
}

function actorOf(subject: LerianSubject): Actor {
  return subject.kind === 'normal-user'
    ? { subject: subject.sub, type: 'normal-user' }
    : { subject: subject.tokenSubject ?? subject.sub, type: 'application' };
}
