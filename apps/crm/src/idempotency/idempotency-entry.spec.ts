import { canonicalJson, IdempotencyEntry, judge } from './idempotency-entry';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TIMEOUT = 30_000;
const entry = (overrides: Partial<IdempotencyEntry> = {}): IdempotencyEntry => ({
  _id: 'id',
  organizationId: 'org',
  requestHash: 'hash',
  state: 'claimed',
  claim: 'token',
  claimedAt: new Date(NOW - 1000),
  expiresAt: new Date(NOW + 60_000),
  ...overrides,
});
const done = (overrides: Partial<IdempotencyEntry> = {}) =>
  entry({ state: 'done', status: 201, answer: '{"id":"x"}', ...overrides });

describe('judge: what a stored entry means for a request that could not claim its key', () => {
  it('absent when the entry is gone', () => {
    expect(judge(null, 'hash', NOW, TIMEOUT)).toEqual({ kind: 'absent' });
  });

  it('expired entries count as absent, whatever they hold (the TTL monitor may not have run)', () => {
    expect(judge(done({ expiresAt: new Date(NOW) }), 'other', NOW, TIMEOUT)).toEqual({
      kind: 'expired',
      claim: 'token',
    });
    expect(judge(entry({ expiresAt: new Date(NOW - 1) }), 'hash', NOW, TIMEOUT)).toEqual({
      kind: 'expired',
      claim: 'token',
    });
  });

  it('another request under the key is a mismatch, running or answered', () => {
    expect(judge(entry(), 'other', NOW, TIMEOUT)).toEqual({ kind: 'mismatch' });
    expect(judge(done(), 'other', NOW, TIMEOUT)).toEqual({ kind: 'mismatch' });
  });

  it('an answered entry replays its status and answer', () => {
    expect(judge(done(), 'hash', NOW, TIMEOUT)).toEqual({ kind: 'replay', status: 201, answer: '{"id":"x"}' });
  });

  it('a claim is in flight until the claim timeout, then stale (taken over with its token)', () => {
    expect(judge(entry({ claimedAt: new Date(NOW - TIMEOUT + 1) }), 'hash', NOW, TIMEOUT)).toEqual({
      kind: 'in-flight',
    });
    expect(judge(entry({ claimedAt: new Date(NOW - TIMEOUT) }), 'hash', NOW, TIMEOUT)).toEqual({
      kind: 'stale',
      claim: 'token',
    });
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, so that key order does not make another request', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    expect(canonicalJson({ name: 'x', type: 'y' })).toBe(canonicalJson({ type: 'y', name: 'x' }));
  });

  it('keeps array order and tells values apart', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('escapes keys and strings as JSON does, and reads no body as null', () => {
    expect(canonicalJson({ 'a"b': 'c\u0000' })).toBe('{"a\\"b":"c\\u0000"}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});
