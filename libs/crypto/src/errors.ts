import { CrmException } from '@crm/errors';

/**
 * A stored value could not be decrypted: tampered, moved to another record or field, or written
 * under a key this keyring does not hold. Fails closed: no plaintext, no ciphertext in the answer.
 */
export class DecryptionError extends CrmException {
  constructor(readonly reason: 'malformed' | 'unknown-key' | 'authentication' | 'not-encrypted') {
    super('CRM-0036');
    this.name = 'DecryptionError';
  }
}

/** A query would compare a protected field with plaintext; it could never match, so it is refused. */
export class ProtectedQueryError extends Error {
  constructor(path: string, reason: string) {
    super(`protected path "${path}": ${reason}`);
    this.name = 'ProtectedQueryError';
  }
}

/** The keys configured cannot read what is stored: starting would write data under the wrong key. */
export class KeyMismatchError extends Error {
  constructor(which: 'encryption' | 'hash') {
    super(
      `${which} key does not match stored data: the configured LCRYPTO keys (current and previous) cannot read the keyring canary written earlier. Refusing to start.`,
    );
    this.name = 'KeyMismatchError';
  }
}
