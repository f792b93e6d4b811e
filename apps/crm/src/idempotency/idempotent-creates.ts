import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { KeyedDigest } from '@crm/crypto';
import { CrmException } from '@crm/errors';
import { canonicalJson, judge } from './idempotency-entry';
import { IdempotencyStore } from './idempotency.store';

/**
 * How long a claim may go unanswered before another request with its key may take it over: longer than a
 * create takes (Midaz calls and their retries included), so that a takeover finds a crashed request.
 */
export const CLAIM_TIMEOUT_MS = 30_000;
/** Rounds of claim, judge and clear-the-way before giving up as "in progress": only racing takers exhaust them. */
const CLAIM_ROUNDS = 3;

/** Who may replay whose answer: one key means one request only within this scope. */
export interface IdempotencyScope {
  organizationId: string;
  /** The route, as `POST /v1/holders`. */
  route: string;
  holderId?: string;
  /** The caller's identity (`anonymous` without authentication). */
  caller: string;
}

export interface IdempotentRequest {
  scope: IdempotencyScope;
  key: string;
  body: unknown;
  ttlSeconds: number;
}

/** A claim this request holds: what its completion or release needs. */
export interface Ticket {
  organizationId: string;
  id: string;
  claim: string;
  ttlSeconds: number;
}

export type Begun =
  { kind: 'run'; ticket: Ticket } | { kind: 'replay'; status: number; answer: string } | { kind: 'in-flight' };

/**
 * Idempotent creates: the first request with a key claims it and runs; a retry with the same key and
 * request gets the first answer replayed; the same key with another request is 422 CRM-0050; a retry
 * while the first is running is told to wait (409 CRM-0051). A failed first attempt releases the key.
 */
@Injectable()
export class IdempotentCreates {
  private readonly logger = new Logger('IdempotentCreates');

  constructor(
    private readonly store: IdempotencyStore,
    private readonly digests: KeyedDigest,
  ) {}

  /** The entry id: a keyed digest of the scope and the key, so that the claim is one insert on a unique id. */
  entryId({ organizationId, route, holderId, caller }: IdempotencyScope, key: string): string {
    return this.digests.digest('idempotency-key', organizationId, JSON.stringify([route, holderId ?? '', caller, key]));
  }

  async begin(request: IdempotentRequest): Promise<Begun> {
    const { organizationId } = request.scope;
    const id = this.entryId(request.scope, request.key);
    const requestHash = this.digests.digest('idempotency-request', organizationId, canonicalJson(request.body));
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const claim = randomUUID();
      const now = Date.now();
      const expiresAt = new Date(now + request.ttlSeconds * 1000);
      const entry = {
        _id: id,
        organizationId,
        requestHash,
        state: 'claimed' as const,
        claim,
        claimedAt: new Date(now),
        expiresAt,
      };
      if (await this.store.claim(entry))
        return { kind: 'run', ticket: { organizationId, id, claim, ttlSeconds: request.ttlSeconds } };
      const verdict = judge(await this.store.read(organizationId, id), requestHash, Date.now(), CLAIM_TIMEOUT_MS);
      switch (verdict.kind) {
        case 'mismatch':
          throw new CrmException('CRM-0050');
        case 'in-flight':
          return verdict;
        case 'replay':
          return verdict;
        case 'expired':
        case 'stale':
          // Of several requests that found the same old claim, one takes it over; the others wait for it.
          if (!(await this.store.takeOver(organizationId, id, verdict.claim, new Date(Date.now() + CLAIM_TIMEOUT_MS))))
            return { kind: 'in-flight' };
          await this.store.release(organizationId, id, verdict.claim);
          break;
        case 'absent':
          break;
      }
    }
    return { kind: 'in-flight' };
  }

  /** Stores the first answer. A request whose claim was taken over meanwhile writes nothing. */
  async finish(ticket: Ticket, status: number, body: unknown): Promise<void> {
    try {
      const answer = JSON.stringify(body ?? null);
      const expiresAt = new Date(Date.now() + ticket.ttlSeconds * 1000);
      await this.store.complete(ticket.organizationId, ticket.id, ticket.claim, { status, answer, expiresAt });
    } catch (error) {
      // The record is created and the caller gets its answer; the claim lapses after CLAIM_TIMEOUT_MS.
      this.logger.error({ errorName: (error as Error)?.name }, 'idempotency: the answer could not be stored');
    }
  }

  /** Releases the key of a request that failed, so that a retry runs afresh. */
  async abandon(ticket: Ticket): Promise<void> {
    try {
      await this.store.release(ticket.organizationId, ticket.id, ticket.claim);
    } catch (error) {
      // The claim then lapses after CLAIM_TIMEOUT_MS, and a retry takes it over.
      this.logger.error(
        { errorName: (error as Error)?.name },
        'idempotency: a failed request could not release its key',
      );
    }
  }
}
