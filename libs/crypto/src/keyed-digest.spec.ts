import { createHash } from 'node:crypto';
import { randomKeyMaterial } from '../../../test/factories/keys';
import { KeyedDigest } from './keyed-digest';
import { Keyring } from './keyring';

const digester = (material = randomKeyMaterial()) => new KeyedDigest(new Keyring(material));
const ORG = '0190a0b0-0000-7000-8000-000000000001';

describe('KeyedDigest', () => {
  it('is deterministic under one key: equal inputs give equal digests (43 base64url characters)', () => {
    const material = randomKeyMaterial();
    const one = digester(material).digest('idempotency-request', ORG, '{"document":"52998224725"}');
    const again = digester(material).digest('idempotency-request', ORG, '{"document":"52998224725"}');
    expect(one).toBe(again);
    expect(one).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs by purpose, organization, value and key', () => {
    const material = randomKeyMaterial();
    const digest = digester(material);
    const base = digest.digest('a', ORG, 'value');
    expect(digest.digest('b', ORG, 'value')).not.toBe(base);
    expect(digest.digest('a', ORG.replace(/1$/, '2'), 'value')).not.toBe(base);
    expect(digest.digest('a', ORG, 'value2')).not.toBe(base);
    expect(digester().digest('a', ORG, 'value')).not.toBe(base);
    // The separator keeps the organization and the value apart.
    expect(digest.digest('a', `${ORG}x`, 'y')).not.toBe(digest.digest('a', ORG, 'xy'));
  });

  it('cannot be recomputed without the key: it is no plain hash of the value, nor a blind-index token', () => {
    const digest = digester().digest('a', ORG, '52998224725');
    for (const plain of ['52998224725', `${ORG}\u000052998224725`])
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        expect(digest).not.toBe(createHash('sha256').update(plain).digest(encoding));
  });

  it('only digests under the current hash key, whatever previous keys are configured', () => {
    const current = randomKeyMaterial();
    const withPrevious = { ...current, previousHashKeys: [randomKeyMaterial().hashKey] };
    expect(digester(withPrevious).digest('a', ORG, 'v')).toBe(digester(current).digest('a', ORG, 'v'));
  });

  it.each(['', 'Upper', 'with space', 'a:b', 'x'.repeat(64)])('refuses the purpose %p', (purpose) => {
    expect(() => digester().digest(purpose, ORG, 'v')).toThrow(/purpose/);
  });
});
