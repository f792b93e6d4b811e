import { createDecipheriv, createHmac, createSecretKey, KeyObject } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * A legacy value that does not open: `authentication failed` is what a wrong key gives (or a tampered
 * value); `not a legacy ciphertext` says nothing about the key.
 */
export class LegacyDecryptionError extends Error {
  constructor(readonly reason: 'not a legacy ciphertext' | 'authentication failed') {
    super(`legacy ciphertext does not decrypt (${reason})`);
    this.name = 'LegacyDecryptionError';
  }
}

export interface LegacyKeys {
  /** LCRYPTO_ENCRYPT_SECRET_KEY of the original: 64 hex chars, hex-decoded into the AES-256 key. */
  encryptKey: string;
  /** LCRYPTO_HASH_SECRET_KEY of the original: its UTF-8 bytes (not hex-decoded) key the HMAC. */
  hashKey: string;
}

/**
 * Reader of the original Lerian CRM v3.8.0's legacy scheme (lib-commons `commons/crypto`):
 * base64(nonce[12] ‖ AES-256-GCM ciphertext ‖ tag[16]) with no additional authenticated data, and
 * search tokens that are hex HMAC-SHA256 of the raw value keyed with the hash key string's bytes.
 * It only reads: nothing in this service ever writes the legacy format.
 */
export class LerianLegacyCipher {
  private readonly encryptKey: KeyObject;
  private readonly hashKey: KeyObject;

  constructor(keys: LegacyKeys) {
    if (!HEX_KEY.test(keys.encryptKey))
      throw new Error('the legacy encryption key must be 64 hex characters (LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY)');
    if (keys.hashKey.length === 0) throw new Error('the legacy hash key is empty (LERIAN_LCRYPTO_HASH_SECRET_KEY)');
    this.encryptKey = createSecretKey(Buffer.from(keys.encryptKey, 'hex'));
    this.hashKey = createSecretKey(Buffer.from(keys.hashKey, 'utf8'));
  }

  decrypt(stored: string): string {
    const body = Buffer.from(stored, 'base64');
    if (body.length < NONCE_BYTES + TAG_BYTES || body.toString('base64') !== stored)
      throw new LegacyDecryptionError('not a legacy ciphertext');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptKey, body.subarray(0, NONCE_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new LegacyDecryptionError('authentication failed');
    }
  }

  /** The original's search token of a raw (not normalized) value. */
  token(value: string): string {
    return createHmac('sha256', this.hashKey).update(value, 'utf8').digest('hex');
  }
}
