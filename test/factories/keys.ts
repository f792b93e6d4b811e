import { randomBytes } from 'node:crypto';
import type { KeyMaterial } from '@crm/crypto';

/**
 * The one source of test keys: fresh random ones, generated at test time (tests never share key material
 * with anything, and no key is committed).
 */

/** A random 32-byte key, hex-encoded as LCRYPTO_* variables carry it. */
export function randomKey(): string {
  return randomBytes(32).toString('hex');
}

/** Key material as the crypto library takes it: fresh current keys, no previous ones unless given. */
export function randomKeyMaterial(overrides: Partial<KeyMaterial> = {}): KeyMaterial {
  return { encryptKey: randomKey(), hashKey: randomKey(), previousEncryptKeys: [], previousHashKeys: [], ...overrides };
}

/** The same as the service reads them from its environment. */
export function testKeys(): { LCRYPTO_ENCRYPT_SECRET_KEY: string; LCRYPTO_HASH_SECRET_KEY: string } {
  return { LCRYPTO_ENCRYPT_SECRET_KEY: randomKey(), LCRYPTO_HASH_SECRET_KEY: randomKey() };
}

/** The key material of such an environment (what a test app started with it uses). */
export function keyMaterialOf(
  env: Record<string, string | undefined>,
  previous: Partial<Pick<KeyMaterial, 'previousEncryptKeys' | 'previousHashKeys'>> = {},
): KeyMaterial {
  const { LCRYPTO_ENCRYPT_SECRET_KEY: encryptKey, LCRYPTO_HASH_SECRET_KEY: hashKey } = env;
  if (!encryptKey || !hashKey) throw new Error('the environment carries no LCRYPTO keys');
  return { encryptKey, hashKey, previousEncryptKeys: [], previousHashKeys: [], ...previous };
}
