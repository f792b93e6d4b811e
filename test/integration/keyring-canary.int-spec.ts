import { KeyMismatchError } from '@crm/crypto';
import { testKeys } from '../factories/keys';
import { startTestApp, testEnv } from '../utils/test-app';

describe('keyring canary', () => {
  it('is written on first start, accepted on the next start with the same keys', async () => {
    const env = testEnv();
    const first = await startTestApp(env);
    await first.close({ keepDatabase: true });
    const second = await startTestApp(env);
    expect((await second.request('/readyz')).body.details.keyring.status).toBe('up');
    await second.close();
  });

  it('refuses to start with keys that cannot read the stored data, naming the key', async () => {
    const env = testEnv();
    const first = await startTestApp(env);
    await first.close({ keepDatabase: true });

    const otherEncryption = { ...env, LCRYPTO_ENCRYPT_SECRET_KEY: testKeys().LCRYPTO_ENCRYPT_SECRET_KEY };
    await expect(startTestApp(otherEncryption)).rejects.toThrow(new KeyMismatchError('encryption'));
    const otherHash = { ...env, LCRYPTO_HASH_SECRET_KEY: testKeys().LCRYPTO_HASH_SECRET_KEY };
    await expect(startTestApp(otherHash)).rejects.toThrow(/hash key does not match stored data/);

    // Rotation: new keys are accepted while the old ones are supplied as previous keys.
    const fresh = testKeys();
    const rotated = await startTestApp({
      ...env,
      ...fresh,
      LCRYPTO_ENCRYPT_PREVIOUS_KEYS: env.LCRYPTO_ENCRYPT_SECRET_KEY,
      LCRYPTO_HASH_PREVIOUS_KEYS: env.LCRYPTO_HASH_SECRET_KEY,
    });
    expect((await rotated.request('/readyz')).status).toBe(200);
    await rotated.close();
  });
});
