import { randomKey } from '../../../../../test/factories/keys';
import { lerianExpected, lerianFixtureKeys, lerianRawCollections } from '../../../../../test/utils/lerian-fixture';
import { LegacyDecryptionError, LerianLegacyCipher } from './lerian-legacy-cipher';

const keys = lerianFixtureKeys();
const cipher = new LerianLegacyCipher({
  encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
  hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
});
const holders = lerianRawCollections().find(({ collection }) => collection.startsWith('holders_'))!;
const first = holders.documents[0];
const expectedFirst = lerianExpected('holders').find(
  ({ response }) => response.externalId === first.external_id,
)!.response;

describe('LerianLegacyCipher (values written by the original v3.8.0)', () => {
  it('decrypts the original ciphertexts to what its API answered', () => {
    expect(cipher.decrypt(first.name)).toBe(expectedFirst.name);
    expect(cipher.decrypt(first.document)).toBe(expectedFirst.document);
    expect(cipher.decrypt(first.contact.primary_email)).toBe(expectedFirst.contact.primaryEmail);
    expect(cipher.decrypt(first.natural_person.mother_name)).toBe(expectedFirst.naturalPerson.motherName);
  });

  it('computes the original search tokens (hex HMAC keyed with the hash key string)', () => {
    for (const holder of holders.documents)
      expect(cipher.token(cipher.decrypt(holder.document))).toBe(holder.search.document);
  });

  it('refuses a wrong encryption key, a tampered value and a value that is not a legacy ciphertext', () => {
    const wrong = new LerianLegacyCipher({
      encryptKey: randomKey(),
      hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
    });
    expect(() => wrong.decrypt(first.name)).toThrow(LegacyDecryptionError);
    const tampered = Buffer.from(first.name, 'base64');
    tampered[14] ^= 1;
    expect(() => cipher.decrypt(tampered.toString('base64'))).toThrow(LegacyDecryptionError);
    expect(() => cipher.decrypt('Pessoa Física 0')).toThrow(LegacyDecryptionError);
    expect(() => cipher.decrypt('')).toThrow(LegacyDecryptionError);
  });

  it('a wrong hash key gives other tokens', () => {
    const wrong = new LerianLegacyCipher({
      encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
      hashKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
    });
    expect(wrong.token(cipher.decrypt(first.document))).not.toBe(first.search.document);
  });

  it('refuses malformed keys without echoing them', () => {
    expect(() => new LerianLegacyCipher({ encryptKey: 'abc123', hashKey: 'x' })).toThrow(/64 hex characters/);
    expect(() => new LerianLegacyCipher({ encryptKey: 'abc123', hashKey: 'x' })).not.toThrow(/abc123/);
    expect(() => new LerianLegacyCipher({ encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY, hashKey: '' })).toThrow(
      /hash key is empty/,
    );
  });
});
