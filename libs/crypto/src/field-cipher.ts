import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cryptoMetrics } from './crypto-metrics';
import { DecryptionError } from './errors';
import { Keyring } from './keyring';

/** What a protected field may hold; the type survives the round trip. */
export type ProtectedValue = string | number | boolean | Date;

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^v1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;

/** The tag byte in front of the plaintext says which type to restore. */
function encode(value: ProtectedValue): Buffer {
  if (typeof value === 'string') return Buffer.from(`s${value}`, 'utf8');
  if (typeof value === 'number') return Buffer.from(`n${JSON.stringify(value)}`, 'utf8');
  if (typeof value === 'boolean') return Buffer.from(value ? 'bt' : 'bf', 'utf8');
  if (value instanceof Date) return Buffer.from(`d${value.toISOString()}`, 'utf8');
  throw new TypeError(`cannot encrypt a value of type ${typeof value}`);
}

function decode(plain: Buffer): ProtectedValue {
  const text = plain.toString('utf8');
  const body = text.slice(1);
  switch (text[0]) {
    case 's':
      return body;
    case 'n':
      return Number(body);
    case 'b':
      return body === 't';
    case 'd':
      return new Date(body);
    default:
      throw new DecryptionError('malformed');
  }
}

/**
 * AES-256-GCM field encryption with a self-describing envelope `v1:<keyId>:<base64url(nonce|ciphertext|tag)>`.
 * The additional authenticated data binds a ciphertext to its organization, collection, record and
 * field: moved anywhere else it fails to decrypt.
 */
export class FieldCipher {
  constructor(private readonly keyring: Keyring) {}

  /** The id of the key new envelopes are sealed with. */
  get currentKeyId(): string {
    return this.keyring.encryption.id;
  }

  static isEnvelope(value: unknown): value is string {
    return typeof value === 'string' && ENVELOPE.test(value);
  }

  /** The id of the key an envelope was sealed with, or undefined for anything that is not an envelope. */
  static keyIdOf(value: unknown): string | undefined {
    return typeof value === 'string' ? ENVELOPE.exec(value)?.[1] : undefined;
  }

  /**
   * Whether a stored value claims to be encrypted (`v<version>:`), well-formed or not. A value that
   * does not is plaintext; one that does must decrypt, so a damaged ciphertext never reads as plaintext.
   */
  static looksEncrypted(value: unknown): boolean {
    return typeof value === 'string' && /^v\d+:/.test(value);
  }

  /** `organizationId|collection|recordId|fieldPath`: what a ciphertext is bound to. */
  static aad(organizationId: string, collection: string, recordId: string, fieldPath: string): string {
    return `${organizationId}|${collection}|${recordId}|${fieldPath}`;
  }

  encrypt(value: ProtectedValue, aad: string): string {
    const { id, key } = this.keyring.encryption;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([nonce, cipher.update(encode(value)), cipher.final(), cipher.getAuthTag()]);
    cryptoMetrics.encrypted();
    return `${VERSION}:${id}:${body.toString('base64url')}`;
  }

  decrypt(envelope: string, aad: string): ProtectedValue {
    const match = ENVELOPE.exec(envelope);
    if (!match)
      throw new DecryptionError(
        typeof envelope === 'string' && !envelope.startsWith('v') ? 'not-encrypted' : 'malformed',
      );
    const key = this.keyring.encryptionKey(match[1]);
    if (!key) throw new DecryptionError('unknown-key');
    const body = Buffer.from(match[2], 'base64url');
    if (body.length < NONCE_BYTES + TAG_BYTES + 1) throw new DecryptionError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      cryptoMetrics.decrypted();
      return decode(
        Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]),
      );
    } catch (error) {
      if (error instanceof DecryptionError) throw error;
      throw new DecryptionError('authentication');
    }
  }
}
