import { createHash } from 'node:crypto';
import { DecryptionError } from './errors';
import { FieldCipher } from './field-cipher';
import { Keyring } from './keyring';
import { randomKeyMaterial } from '../../../test/factories/keys';

const AAD = FieldCipher.aad('org-1', 'holders', 'rec-1', 'document');

function expectDecryptionError(run: () => unknown, reason: DecryptionError['reason']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe(reason);
    expect((error as DecryptionError).code).toBe('CRM-0036');
    return;
  }
  throw new Error('expected a DecryptionError');
}

describe('FieldCipher', () => {
  const material = randomKeyMaterial();
  const cipher = new FieldCipher(new Keyring(material));

  it.each([
    ['a string', '123.456.789-09'],
    ['unicode', 'José Ñúñez 🦊'],
    ['empty', ''],
    ['a number', 1234.5],
    ['zero', 0],
    ['true', true],
    ['false', false],
    ['a date', new Date('1990-01-02T03:04:05.678Z')],
  ])('round-trips %s with its type', (_name, value) => {
    const decrypted = cipher.decrypt(cipher.encrypt(value, AAD), AAD);
    expect(decrypted).toEqual(value);
    expect(typeof decrypted).toBe(typeof value);
  });

  it('writes v1:<keyId>:<base64url> with the current key fingerprint and a fresh nonce each time', () => {
    const first = cipher.encrypt('same', AAD);
    const second = cipher.encrypt('same', AAD);
    const keyId = createHash('sha256').update(Buffer.from(material.encryptKey, 'hex')).digest('hex').slice(0, 8);
    expect(first).toMatch(new RegExp(`^v1:${keyId}:[A-Za-z0-9_-]+$`));
    expect(first).not.toBe(second);
    expect(FieldCipher.isEnvelope(first)).toBe(true);
    expect(first).not.toContain('same');
  });

  it('rejects a change to any byte of nonce, ciphertext or tag', () => {
    const envelope = cipher.encrypt('12345678909', AAD);
    const [version, keyId, body] = envelope.split(':');
    const bytes = Buffer.from(body, 'base64url');
    for (let index = 0; index < bytes.length; index++) {
      const tampered = Buffer.from(bytes);
      tampered[index] ^= 0x01;
      expectDecryptionError(
        () => cipher.decrypt(`${version}:${keyId}:${tampered.toString('base64url')}`, AAD),
        'authentication',
      );
    }
  });

  it.each([
    ['another record', FieldCipher.aad('org-1', 'holders', 'rec-2', 'document')],
    ['another field', FieldCipher.aad('org-1', 'holders', 'rec-1', 'name')],
    ['another organization', FieldCipher.aad('org-2', 'holders', 'rec-1', 'document')],
    ['another collection', FieldCipher.aad('org-1', 'alias_accounts', 'rec-1', 'document')],
  ])('refuses a ciphertext moved to %s', (_case, otherAad) => {
    expectDecryptionError(() => cipher.decrypt(cipher.encrypt('secret', AAD), otherAad), 'authentication');
  });

  it('refuses an envelope naming a key it does not hold', () => {
    const stranger = new FieldCipher(new Keyring(randomKeyMaterial()));
    expectDecryptionError(() => cipher.decrypt(stranger.encrypt('secret', AAD), AAD), 'unknown-key');
  });

  it('refuses plaintext and malformed envelopes', () => {
    expectDecryptionError(() => cipher.decrypt('12345678909', AAD), 'not-encrypted');
    expectDecryptionError(() => cipher.decrypt('v1:zz:abc', AAD), 'malformed');
    const keyId = cipher.encrypt('x', AAD).split(':')[1];
    expectDecryptionError(() => cipher.decrypt(`v1:${keyId}:AAAA`, AAD), 'malformed');
  });

  it('decrypts with a previous key during rotation, and writes with the current one', () => {
    const rotated = new FieldCipher(new Keyring(randomKeyMaterial({ previousEncryptKeys: [material.encryptKey] })));
    const old = cipher.encrypt('kept', AAD);
    expect(rotated.decrypt(old, AAD)).toBe('kept');
    expect(rotated.encrypt('new', AAD).split(':')[1]).not.toBe(old.split(':')[1]);
  });
});
