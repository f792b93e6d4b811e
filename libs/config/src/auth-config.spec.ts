import { ConfigError, loadConfig } from './app-config';

const base = {
  MONGO_URI: 'mongodb://db:27017/',
  LCRYPTO_ENCRYPT_SECRET_KEY: 'a1'.repeat(16) + 'b2'.repeat(16),
  LCRYPTO_HASH_SECRET_KEY: 'c3'.repeat(16) + 'd4'.repeat(16),
};
const JWT = {
  AUTH_MODE: 'jwt',
  AUTH_JWKS_URL: 'https://idp.test/jwks',
  AUTH_ISSUER: 'https://idp.test/',
  AUTH_AUDIENCE: 'crm',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('auth and audit configuration', () => {
  it('defaults: no auth (warned at start), audit required', () => {
    const config = loadConfig(base);
    expect(config.auth).toEqual({ mode: 'none' });
    expect(config.audit).toEqual({ mode: 'required', queueSize: 10_000, waitMs: 3000, retentionDays: 0 });
  });

  it('the JWKS comes over https, or plain http only from a loopback address', () => {
    expect(problemsOf({ ...JWT, AUTH_JWKS_URL: 'http://idp.example/jwks' })).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: must be https/),
    ]);
    expect(problemsOf({ ...JWT, AUTH_JWKS_URL: 'http://127.0.0.1.evil.example/jwks' })).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL/),
    ]);
    for (const url of [
      'https://idp.example/jwks',
      'http://127.0.0.1:8080/jwks',
      'http://localhost/jwks',
      'http://[::1]:9/jwks',
    ]) {
      expect(loadConfig({ ...base, ...JWT, AUTH_JWKS_URL: url }).auth).toMatchObject({ mode: 'jwt' });
    }
  });

  it('empty variables count as unset', () => {
    expect(loadConfig({ ...base, AUTH_MODE: '', PLUGIN_AUTH_ENABLED: '', AUDIT_MODE: '' })).toMatchObject({
      auth: { mode: 'none' },
      audit: { mode: 'required' },
    });
  });

  it('PLUGIN_AUTH_ENABLED=true means lerian, with a 2 s timeout and no cache, as the original', () => {
    expect(
      loadConfig({ ...base, PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: 'http://plugin-auth:4000/' }).auth,
    ).toEqual({
      mode: 'lerian',
      lerian: { address: 'http://plugin-auth:4000', timeoutMs: 2000, cacheTtlMs: 0, breakerResetMs: 10_000 },
    });
  });

  it('refuses plugin-auth enabled without an address (the original would let everything through)', () => {
    expect(problemsOf({ PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: '' })).toEqual([
      expect.stringMatching(/^PLUGIN_AUTH_ADDRESS: is required when plugin-auth is enabled/),
    ]);
    expect(problemsOf({ AUTH_MODE: 'lerian' })[0]).toMatch(/^PLUGIN_AUTH_ADDRESS/);
  });

  it('refuses contradicting modes', () => {
    expect(problemsOf({ ...JWT, PLUGIN_AUTH_ENABLED: 'true', PLUGIN_AUTH_ADDRESS: 'http://a' })).toContain(
      'AUTH_MODE: is jwt, but PLUGIN_AUTH_ENABLED=true asks for lerian',
    );
  });

  it('jwt: needs a key source, issuer and audience', () => {
    const problems = problemsOf({ AUTH_MODE: 'jwt' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AUTH_JWKS_URL/),
        expect.stringMatching(/^AUTH_ISSUER/),
        expect.stringMatching(/^AUTH_AUDIENCE/),
      ]),
    );
    expect(loadConfig({ ...base, ...JWT }).auth).toMatchObject({
      mode: 'jwt',
      jwt: {
        algorithms: ['RS256', 'ES256'],
        permissionsClaim: 'scope',
        organizationsClaim: 'organizations',
        clockToleranceSec: 30,
        maxTokenAgeSec: 0,
      },
    });
  });

  it.each(['none', 'HS256', 'RS256,HS512'])('jwt: refuses AUTH_ALGORITHMS=%s', (algorithms) => {
    expect(problemsOf({ ...JWT, AUTH_ALGORITHMS: algorithms })[0]).toMatch(
      /^AUTH_ALGORITHMS: must list public-key algorithms/,
    );
  });

  it('jwt: a public key must be PEM, and not together with a JWKS URL', () => {
    expect(problemsOf({ ...JWT, AUTH_JWT_PUBLIC_KEY: 'abc' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/not both/), expect.stringMatching(/must be a PEM public key/)]),
    );
  });

  it('audit: mode names are checked', () => {
    expect(problemsOf({ AUDIT_MODE: 'sometimes' })[0]).toMatch(/^AUDIT_MODE: must be required, best-effort or off/);
    expect(
      loadConfig({ ...base, AUDIT_MODE: 'best-effort', AUDIT_QUEUE_SIZE: '5', AUDIT_RETENTION_DAYS: '365' }).audit,
    ).toEqual({ mode: 'best-effort', queueSize: 5, waitMs: 3000, retentionDays: 365 });
  });
});
