import { randomBytes } from 'node:crypto';
import { KeyMaterial } from './keyring';

/** Fresh random key material for a test (tests never share keys). */
export function randomKeyMaterial(overrides: Partial<KeyMaterial> = {}): KeyMaterial {
  return {
    encryptKey: randomBytes(32).toString('hex'),
    hashKey: randomBytes(32).toString('hex'),
    previousEncryptKeys: [],
    previousHashKeys: [],
    ...overrides,
  };
}
