import { BlindIndex } from './blind-index';
import { fingerprint, Keyring } from './keyring';
import { randomKeyMaterial } from '../../../test/factories/keys';

describe('BlindIndex', () => {
  const material = randomKeyMaterial();
  const index = new BlindIndex(new Keyring(material));
  const scope = BlindIndex.scope('holders', 'identifier');

  it('gives the same token to formatting variants of one document', () => {
    expect(index.tokenFor(scope, 'identifier', 'org', '123.456.789-09')).toBe(
      index.tokenFor(scope, 'identifier', 'org', '12345678909'),
    );
  });

  it('is deterministic across keyrings built from the same keys (HKDF subkeys)', () => {
    const again = new BlindIndex(new Keyring({ ...material }));
    expect(again.tokenFor(scope, 'identifier', 'org', '1')).toBe(index.tokenFor(scope, 'identifier', 'org', '1'));
  });

  it('separates fields, organizations and values', () => {
    const token = index.tokenFor(scope, 'identifier', 'org', '1');
    expect(index.tokenFor(BlindIndex.scope('alias_accounts', 'identifier'), 'identifier', 'org', '1')).not.toBe(token);
    expect(index.tokenFor(scope, 'identifier', 'org-2', '1')).not.toBe(token);
    expect(index.tokenFor(scope, 'identifier', 'org', '2')).not.toBe(token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('searches with the current key first and every previous one', () => {
    const rotated = new BlindIndex(new Keyring(randomKeyMaterial({ previousHashKeys: [material.hashKey] })));
    const candidates = rotated.candidatesFor(scope, 'identifier', 'org', '1');
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toBe(rotated.tokenFor(scope, 'identifier', 'org', '1'));
    expect(candidates[1]).toBe(index.tokenFor(scope, 'identifier', 'org', '1'));
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
    expect(
      keyring.scopedHashKey(keyring.hashing, 'a').export().equals(keyring.scopedHashKey(keyring.hashing, 'b').export()),
    ).toBe(false);
  });
});
