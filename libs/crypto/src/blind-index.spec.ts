import { BlindIndex } from './blind-index';
import { fingerprint, Keyring } from './keyring';
import { NORMALIZERS } from './normalizers';
import { randomKeyMaterial } from './test-keys';

describe('NORMALIZERS', () => {
  it.each([
    ['document', ' 123.456.789-09 ', '12345678909'],
    ['document', '12.ABC.345/01DE-35', '12ABC34501DE35'],
    ['document', 'ab 12', 'AB12'],
    ['email', '  John.Doe@Example.COM ', 'john.doe@example.com'],
    ['phone', '+55 (11) 98765-4321', '+5511987654321'],
    ['phone', '(11) 98765-4321', '11987654321'],
    ['iban', 'gb82 west 1234 5698 7654 32', 'GB82WEST12345698765432'],
    ['account', '12345-6', '123456'],
    ['account', '0001.234/5 x', '00012345X'],
  ] as const)('%s: %j -> %j', (kind, input, expected) => {
    expect(NORMALIZERS[kind](input)).toBe(expected);
  });
});

describe('BlindIndex', () => {
  const material = randomKeyMaterial();
  const index = new BlindIndex(new Keyring(material));
  const scope = BlindIndex.scope('holders', 'document');

  it('gives the same token to formatting variants of one document', () => {
    expect(index.tokenFor(scope, 'document', 'org', '123.456.789-09')).toBe(index.tokenFor(scope, 'document', 'org', '12345678909'));
  });

  it('is deterministic across keyrings built from the same keys (HKDF subkeys)', () => {
    const again = new BlindIndex(new Keyring({ ...material }));
    expect(again.tokenFor(scope, 'document', 'org', '1')).toBe(index.tokenFor(scope, 'document', 'org', '1'));
  });

  it('separates fields, organizations and values', () => {
    const token = index.tokenFor(scope, 'document', 'org', '1');
    expect(index.tokenFor(BlindIndex.scope('alias_accounts', 'document'), 'document', 'org', '1')).not.toBe(token);
    expect(index.tokenFor(scope, 'document', 'org-2', '1')).not.toBe(token);
    expect(index.tokenFor(scope, 'document', 'org', '2')).not.toBe(token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('searches with the current key first and every previous one', () => {
    const rotated = new BlindIndex(new Keyring(randomKeyMaterial({ previousHashKeys: [material.hashKey] })));
    const candidates = rotated.candidatesFor(scope, 'document', 'org', '1');
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toBe(rotated.tokenFor(scope, 'document', 'org', '1'));
    expect(candidates[1]).toBe(index.tokenFor(scope, 'document', 'org', '1'));
  });
});

describe('Keyring', () => {
  it('names keys by fingerprint and ignores a key listed twice', () => {
    const material = randomKeyMaterial();
    const keyring = new Keyring({ ...material, previousHashKeys: [material.hashKey] });
    expect(keyring.encryption.id).toBe(fingerprint(Buffer.from(material.encryptKey, 'hex')));
    expect(keyring.allHashKeys()).toHaveLength(1);
  });

  it('derives each scoped key once', () => {
    const keyring = new Keyring(randomKeyMaterial());
    expect(keyring.scopedHashKey(keyring.hashing, 'a')).toBe(keyring.scopedHashKey(keyring.hashing, 'a'));
    expect(keyring.scopedHashKey(keyring.hashing, 'a').export().equals(keyring.scopedHashKey(keyring.hashing, 'b').export())).toBe(false);
  });
});
