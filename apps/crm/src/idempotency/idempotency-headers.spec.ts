import { CrmException } from '@crm/errors';
import { idempotencyHeadersOf } from './idempotency-headers';

const MAX = 86_400;
const problemOf = (headers: Record<string, string>, max = MAX) => {
  try {
    idempotencyHeadersOf(headers, max);
  } catch (error) {
    expect(error).toBeInstanceOf(CrmException);
    return { code: (error as CrmException).code, fields: (error as CrmException).details.fields };
  }
  throw new Error('expected the headers to be refused');
};

describe('idempotency headers', () => {
  it('asks for nothing without a key, whatever X-TTL says', () => {
    expect(idempotencyHeadersOf({}, MAX)).toBeUndefined();
    expect(idempotencyHeadersOf({ 'x-ttl': 'nonsense' }, MAX)).toBeUndefined();
  });

  it('takes the key from either header, with a TTL of 300 s unless X-TTL says otherwise', () => {
    expect(idempotencyHeadersOf({ 'idempotency-key': 'k-1' }, MAX)).toEqual({ key: 'k-1', ttlSeconds: 300 });
    expect(idempotencyHeadersOf({ 'x-idempotency': 'k-1', 'x-ttl': '60' }, MAX)).toEqual({
      key: 'k-1',
      ttlSeconds: 60,
    });
    expect(idempotencyHeadersOf({ 'idempotency-key': 'k', 'x-idempotency': 'k' }, MAX)).toEqual({
      key: 'k',
      ttlSeconds: 300,
    });
    expect(idempotencyHeadersOf({ 'idempotency-key': 'k', 'x-ttl': String(MAX) }, MAX)?.ttlSeconds).toBe(MAX);
  });

  it('caps the default TTL at the configured maximum', () => {
    expect(idempotencyHeadersOf({ 'idempotency-key': 'k' }, 60)?.ttlSeconds).toBe(60);
  });

  it("reads the IETF header's quoted form (an sf-string) as the same key", () => {
    expect(idempotencyHeadersOf({ 'idempotency-key': '"8e03978e"' }, MAX)?.key).toBe('8e03978e');
    expect(idempotencyHeadersOf({ 'idempotency-key': '"a\\"b"' }, MAX)?.key).toBe('a"b');
    expect(idempotencyHeadersOf({ 'idempotency-key': '"k"', 'x-idempotency': 'k' }, MAX)?.key).toBe('k');
  });

  it('accepts 255 visible ASCII characters', () => {
    const key = '!'.repeat(100) + '~'.repeat(155);
    expect(idempotencyHeadersOf({ 'x-idempotency': key }, MAX)?.key).toBe(key);
  });

  it.each([
    ['empty', { 'idempotency-key': '' }, 'Idempotency-Key'],
    ['too long', { 'idempotency-key': 'k'.repeat(256) }, 'Idempotency-Key'],
    ['with a space', { 'x-idempotency': 'a b' }, 'X-Idempotency'],
    ['not ASCII', { 'x-idempotency': 'chave-ç' }, 'X-Idempotency'],
    ['an empty quoted string', { 'idempotency-key': '""' }, 'Idempotency-Key'],
    ['two keys that differ', { 'idempotency-key': 'a', 'x-idempotency': 'b' }, 'Idempotency-Key'],
    ['a TTL of 0', { 'idempotency-key': 'k', 'x-ttl': '0' }, 'X-TTL'],
    ['a TTL over the maximum', { 'idempotency-key': 'k', 'x-ttl': String(MAX + 1) }, 'X-TTL'],
    ['a fractional TTL', { 'idempotency-key': 'k', 'x-ttl': '1.5' }, 'X-TTL'],
    ['a negative TTL', { 'idempotency-key': 'k', 'x-ttl': '-5' }, 'X-TTL'],
    ['a TTL in another notation', { 'idempotency-key': 'k', 'x-ttl': '1e3' }, 'X-TTL'],
  ])('refuses %s: 400 CRM-0022 naming the header', (_case, headers, header) => {
    const problem = problemOf(headers);
    expect(problem.code).toBe('CRM-0022');
    expect(Object.keys(problem.fields ?? {})).toEqual([header]);
  });

  it('never echoes the key in the refusal', () => {
    const key = 'secret 529.982.247-25';
    const problem = problemOf({ 'idempotency-key': key });
    expect(JSON.stringify(problem)).not.toContain('529');
  });
});
