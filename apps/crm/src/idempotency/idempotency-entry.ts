/** Where a key stands: its request is running (`claimed`) or answered (`done`, the answer sealed). */
export type IdempotencyState = 'claimed' | 'done';

/**
 * One idempotency key as stored in `idempotency_keys`. No plaintext personal data: the id and the request
 * hash are keyed digests, and the answer (the created record) is sealed by the crypto plugin.
 */
export interface IdempotencyEntry {
  /** Keyed digest of (route, holder id, caller, key), under the organization: one entry per scope and key. */
  _id: string;
  organizationId: string;
  /** Keyed digest of the request body in canonical form: a retry must send the same request. */
  requestHash: string;
  state: IdempotencyState;
  /** A random token of the request that claimed the key: its completion and release are conditional on it. */
  claim: string;
  claimedAt: Date;
  /** When the entry stops counting (read as absent) and the TTL index may remove it. */
  expiresAt: Date;
  /** The status of the first answer, once done. */
  status?: number;
  /** The JSON text of the first answer's body, once done. */
  answer?: string;
  completedAt?: Date;
}

/** What a stored entry means for a request that failed to claim its key. */
export type Verdict =
  | { kind: 'absent' }
  | { kind: 'expired'; claim: string }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' }
  | { kind: 'stale'; claim: string }
  | { kind: 'replay'; status: number; answer: string };

/**
 * Judges the entry that kept a request from claiming its key. Expired entries count as absent even
 * before the TTL index removes them (its monitor runs about once a minute, and some engines have none).
 * A different request under the key is refused before anything else; a claim older than the claim timeout
 * belongs to a request that crashed or stalled and may be taken over.
 */
export function judge(
  entry: IdempotencyEntry | null,
  requestHash: string,
  now: number,
  claimTimeoutMs: number,
): Verdict {
  if (!entry) return { kind: 'absent' };
  if (entry.expiresAt.getTime() <= now) return { kind: 'expired', claim: entry.claim };
  if (entry.requestHash !== requestHash) return { kind: 'mismatch' };
  if (entry.state === 'done' && typeof entry.status === 'number' && typeof entry.answer === 'string')
    return { kind: 'replay', status: entry.status, answer: entry.answer };
  if (now - entry.claimedAt.getTime() >= claimTimeoutMs) return { kind: 'stale', claim: entry.claim };
  return { kind: 'in-flight' };
}

/**
 * A JSON value as text with every object's keys sorted, so that a retry whose client orders keys
 * differently is still the same request. Arrays keep their order: it is part of the request.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
