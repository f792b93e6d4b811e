import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { JwksServer, signedJwt, signingKey, TestSigningKey } from '../utils/tokens';
import { eventually } from '../utils/eventually';
import { naturalPerson } from '../factories/holders';
import { organizationHeaders } from '../factories/organization';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'crm';
const ORG_A = randomUUID();
const ORG_B = randomUUID();
const ALL_SCOPES =
  'crm:holders:read crm:holders:write crm:holders:delete crm:aliases:read crm:aliases:write crm:aliases:delete';

describe('auth, jwt mode (JWKS with key rotation, organization binding)', () => {
  const jwks = new JwksServer();
  let crm: TestApp;
  let key1: TestSigningKey;
  let key2: TestSigningKey;

  const token = (claims: Record<string, unknown> = {}, key: TestSigningKey = key1) =>
    signedJwt(key, {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'svc-onboarding',
      scope: ALL_SCOPES,
      organizations: [ORG_A],
      email: 'ops.person@example.com',
      ...claims,
    });

  const as = (jwt: string | undefined, organizationId = ORG_A) => {
    const headers = {
      'x-organization-id': organizationId,
      ...(jwt !== undefined ? { authorization: `Bearer ${jwt}` } : {}),
    };
    return {
      get: (path: string) => crm.request(path, { headers }),
      post: (path: string, json: unknown) => crm.request(path, { method: 'POST', headers, json }),
      delete: (path: string) => crm.request(path, { method: 'DELETE', headers }),
    };
  };

  const expectUnauthorized = (response: { status: number; body: { code?: string }; headers: Headers }) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'CRM-0042' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  };

  beforeAll(async () => {
    key1 = await signingKey('key-1');
    key2 = await signingKey('key-2', 'ES256');
    jwks.keys = [key1.jwk];
    await jwks.start();
    crm = await startTestApp(
      testEnv({
        AUTH_MODE: 'jwt',
        AUTH_JWKS_URL: jwks.url,
        AUTH_JWKS_COOLDOWN_MS: '0',
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_ALGORITHMS: 'RS256,ES256',
        AUTH_ALLOW_ALL_ORGANIZATIONS_CLAIM: 'crm_all_organizations',
        AUTH_MAX_TOKEN_AGE_SEC: '86400',
        LOG_LEVEL: 'info',
      }),
    );
  });
  afterAll(async () => {
    await crm.close();
    await jwks.stop();
  });

  it('a valid token with the scope and the organization reaches the handler', async () => {
    const created = await as(await token()).post('/v1/holders', naturalPerson({ document: '39053344705' }));
    expect(created.status).toBe(201);
    expect((await as(await token()).get(`/v1/holders/${created.body.id}`)).body.id).toBe(created.body.id);
  });

  describe('organization binding', () => {
    it('a token for organization A can never read or write organization B', async () => {
      const holderOfB = await as(await token({ organizations: [ORG_B] }), ORG_B).post(
        '/v1/holders',
        naturalPerson({ document: '52998224725' }),
      );
      expect(holderOfB.status).toBe(201);
      const tokenOfA = await token({ organizations: [ORG_A] });
      for (const response of [
        await as(tokenOfA, ORG_B).get(`/v1/holders/${holderOfB.body.id}`),
        await as(tokenOfA, ORG_B).get('/v1/holders'),
        await as(tokenOfA, ORG_B).post('/v1/holders', naturalPerson({ document: '11144477735' })),
        await as(tokenOfA, ORG_B).delete(`/v1/holders/${holderOfB.body.id}`),
      ]) {
        expect({ status: response.status, code: response.body.code }).toEqual({ status: 403, code: 'CRM-0043' });
      }
      // Positive control: B's own token still reads it, so it was not deleted.
      expect(
        (await as(await token({ organizations: [ORG_B] }), ORG_B).get(`/v1/holders/${holderOfB.body.id}`)).status,
      ).toBe(200);
    });

    it('the organization may be a single string claim, compared case-insensitively', async () => {
      expect((await as(await token({ organizations: ORG_A.toUpperCase() })).get('/v1/holders')).status).toBe(200);
    });

    it('a missing organizations claim is a 403', async () => {
      expect((await as(await token({ organizations: undefined })).get('/v1/holders')).body.code).toBe('CRM-0043');
    });

    it('every organization only through the configured claim, never a "*" in the organizations list', async () => {
      expect(
        (await as(await token({ organizations: undefined, crm_all_organizations: true }), ORG_B).get('/v1/holders'))
          .status,
      ).toBe(200);
      expect((await as(await token({ organizations: ['*'] }), ORG_B).get('/v1/holders')).status).toBe(403);
      expect(
        (await as(await token({ organizations: undefined, crm_all_organizations: false }), ORG_B).get('/v1/holders'))
          .status,
      ).toBe(403);
    });
  });

  describe('permissions (scope claim)', () => {
    it('read-only scope reads but cannot write or delete', async () => {
      const reader = await token({ scope: 'crm:holders:read' });
      expect((await as(reader).get('/v1/holders')).status).toBe(200);
      const write = await as(reader).post('/v1/holders', naturalPerson({ document: '71428793860' }));
      expect({ status: write.status, code: write.body.code, message: write.body.message }).toEqual({
        status: 403,
        code: 'CRM-0043',
        message: 'The token lacks the permission crm:holders:write.',
      });
      expect((await as(reader).delete(`/v1/holders/${randomUUID()}`)).status).toBe(403);
      expect((await as(reader).get('/v1/aliases')).status).toBe(403);
    });

    it('scopes may be an array claim', async () => {
      expect((await as(await token({ scope: ['crm:aliases:read'] })).get('/v1/aliases')).status).toBe(200);
    });
  });

  describe('rejected tokens: 401 CRM-0042', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = () => ({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'x',
      scope: ALL_SCOPES,
      organizations: [ORG_A],
      exp: now() + 600,
    });

    it.each([
      ['no token', () => Promise.resolve(undefined)],
      ['an expired token', async () => token({ exp: now() - 120 })],
      ['a token not valid yet', async () => token({ nbf: now() + 600 })],
      ['a wrong audience', async () => token({ aud: 'another-service' })],
      ['a wrong issuer', async () => token({ iss: 'https://evil.example.test/' })],
      ['no exp', async () => token({ exp: undefined })],
      ['no sub', async () => token({ sub: undefined })],
      ['issued a year from now', async () => token({ iat: now() + 365 * 86_400 })],
      ['issued past the clock tolerance', async () => token({ iat: now() + 120 })],
      ['issued longer ago than AUTH_MAX_TOKEN_AGE_SEC', async () => token({ iat: now() - 2 * 86_400 })],
      ['no iat while AUTH_MAX_TOKEN_AGE_SEC is set', async () => token({ iat: undefined })],
      ['alg none', () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)],
      [
        'HS256 signed with the public key (algorithm confusion)',
        () => {
          const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${b64(claims())}`;
          return Promise.resolve(`${unsigned}.${createHmac('sha256', key1.pem).update(unsigned).digest('base64url')}`);
        },
      ],
      ['a key the JWKS does not hold', async () => token({}, await signingKey('stranger'))],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await token()).split('.');
          return `${header}.${b64({ ...claims(), organizations: [ORG_A, ORG_B] })}.${signature}`;
        },
      ],
      ['garbage', () => Promise.resolve('not.a.jwt')],
    ])('%s', async (_case, make) => {
      expectUnauthorized(await as(await make()).get('/v1/holders'));
    });

    it('expiry allows a small clock skew', async () => {
      expect((await as(await token({ exp: now() - 5 })).get('/v1/holders')).status).toBe(200);
    });

    it('issue time allows the same skew, and any age within AUTH_MAX_TOKEN_AGE_SEC', async () => {
      expect((await as(await token({ iat: now() + 5 })).get('/v1/holders')).status).toBe(200);
      expect((await as(await token({ iat: now() - 86_000 })).get('/v1/holders')).status).toBe(200);
    });

    it('runs before validation: no token and a bad UUID is 401, not 400', async () => {
      expectUnauthorized(await as(undefined).get('/v1/holders/not-a-uuid'));
      expectUnauthorized(
        await crm.request('/v1/holders', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"broken":',
        }),
      );
    });
  });

  it('audits a refused caller by its subject once its token verifies, by "unauthenticated" before', async () => {
    const holderId = randomUUID();
    const reader = await token({ sub: 'svc-reader-7', scope: 'crm:holders:read' });
    expect((await as(reader).delete(`/v1/holders/${holderId}`)).status).toBe(403);
    const elsewhere = await token({ sub: 'svc-other-org-9' });
    expect((await as(elsewhere, ORG_B).delete(`/v1/holders/${holderId}`)).status).toBe(403);
    const forged = await token({ sub: 'svc-forged-8' }, await signingKey('key-not-published'));
    expectUnauthorized(await as(forged).delete(`/v1/holders/${holderId}`));

    const auditsOfHolder = () =>
      crm.logs.lines
        .filter((line) => line.includes('"audit":') && line.includes(holderId))
        .map((line) => (JSON.parse(line) as { audit: { outcome: number; actor: unknown } }).audit);
    const audits = await eventually(auditsOfHolder, (found) => found.length >= 3);
    expect(audits.map(({ outcome, actor }) => ({ outcome, actor }))).toEqual([
      { outcome: 403, actor: { subject: 'svc-reader-7', type: 'jwt' } },
      { outcome: 403, actor: { subject: 'svc-other-org-9', type: 'jwt' } },
      { outcome: 401, actor: { subject: 'unauthenticated', type: 'unauthenticated' } },
    ]);
  });

  it('refuses a verified token whose subject is not a non-empty string: callers are audited by it', async () => {
    for (const sub of [42, '', '  ']) expectUnauthorized(await as(await token({ sub })).get('/v1/holders'));
    expect((await as(await token({ sub: 'svc-named' })).get('/v1/holders')).status).toBe(200);
  });

  it('key rotation: a token of the new key is accepted once the JWKS publishes it; the retired key is refused', async () => {
    expectUnauthorized(await as(await token({}, key2)).get('/v1/holders'));
    jwks.keys = [key2.jwk];
    const fetches = jwks.fetches;
    expect((await as(await token({}, key2)).get('/v1/holders')).status).toBe(200);
    expect(jwks.fetches).toBeGreaterThan(fetches);
    expectUnauthorized(await as(await token({}, key1)).get('/v1/holders'));
    jwks.keys = [key1.jwk, key2.jwk];
  });

  it('JWKS unreachable: 503 CRM-0041 for a key not cached, never a pass', async () => {
    await jwks.stop();
    const response = await as(await token({}, await signingKey('key-3'))).get('/v1/holders');
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'CRM-0041' });
    await jwks.start();
    expect((await as(await token()).get('/v1/holders')).status).toBe(200);
  });

  it('never logs the token or its claim values', async () => {
    const jwt = await token({ sub: 'svc-secret-subject-42' });
    await as(jwt).get('/v1/holders');
    await as(jwt, ORG_B).get('/v1/holders');
    expect(await crm.logs.waitFor((entry) => entry.res?.statusCode === 403)).toBe(true);
    expect(crm.logs.lines.length).toBeGreaterThan(0);
    for (const part of jwt.split('.')) expect(crm.logs.text).not.toContain(part);
    for (const value of ['ops.person@example.com', ALL_SCOPES, ISSUER, ORG_A.replace(/-/g, '')])
      expect(crm.logs.text).not.toContain(value);
    // The subject is what an audit line is for, and it appears there only.
    expect(
      crm.logs.lines.filter((line) => line.includes('"audit":')).some((line) => line.includes('svc-secret-subject-42')),
    ).toBe(true);
    expect(crm.logs.lines.filter((line) => !line.includes('"audit":')).join('\n')).not.toContain(
      'svc-secret-subject-42',
    );
  });
});

describe('auth, jwt mode with a static public key', () => {
  let crm: TestApp;
  let key: TestSigningKey;

  /** A reader's token for ORG_A, signed with `signing`. */
  const readerToken = (signing: TestSigningKey) =>
    signedJwt(signing, { iss: ISSUER, aud: AUDIENCE, sub: 'svc', permissions: ['crm:holders:read'], org_id: ORG_A });
  const listHolders = (jwt: string, organizationId = ORG_A) =>
    crm.request('/v1/holders', { headers: organizationHeaders(organizationId, { authorization: `Bearer ${jwt}` }) });

  beforeAll(async () => {
    key = await signingKey('static', 'ES256');
    const directory = mkdtempSync(join(tmpdir(), 'crm-jwt-'));
    writeFileSync(join(directory, 'public.pem'), key.pem);
    crm = await startTestApp(
      testEnv({
        AUTH_MODE: 'jwt',
        AUTH_JWT_PUBLIC_KEY_FILE: join(directory, 'public.pem'),
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_ALGORITHMS: 'ES256,ES384',
        AUTH_PERMISSIONS_CLAIM: 'permissions',
        AUTH_ORGANIZATIONS_CLAIM: 'org_id',
      }),
    );
  });
  afterAll(() => crm.close());

  it('OpenAPI declares the bearer scheme with the jwt answers', async () => {
    const api = (await crm.request('/swagger/json')).body;
    expect(api.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(api.paths['/v1/holders'].post.responses['403'].description).toContain('crm:holders:write');
    expect(
      api.paths['/v1/holders'].post.responses['401'].content['application/json'].examples['CRM-0042'].value.code,
    ).toBe('CRM-0042');
    expect(api.paths['/health'].get.security).toBeUndefined();
  });

  it('verifies with the key file and reads the configured claims', async () => {
    const jwt = await readerToken(key);
    expect((await listHolders(jwt)).status).toBe(200);
    expect((await listHolders(jwt, ORG_B)).status).toBe(403);
  });

  it('a token whose algorithm does not fit the key is a 401, not a 503', async () => {
    const response = await listHolders(await readerToken(await signingKey('static', 'ES384')));
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'CRM-0042' });
  });

  it('an algorithm outside AUTH_ALGORITHMS is refused even with the right key type', async () => {
    expect((await listHolders(await readerToken(await signingKey('static', 'RS256')))).status).toBe(401);
  });
});

describe('AUTH_MODE=none (the default, for local use)', () => {
  let crm: TestApp;
  beforeAll(async () => (crm = await startTestApp(testEnv({ LOG_LEVEL: 'silent' }))));
  afterAll(() => crm.close());

  it('lets requests through without a token and declares no security scheme', async () => {
    expect((await crm.request('/v1/holders', { headers: organizationHeaders(ORG_A) })).status).toBe(200);
    const api = (await crm.request('/swagger/json')).body;
    expect(api.components.securitySchemes).toBeUndefined();
    expect(api.paths['/v1/holders'].get.security).toBeUndefined();
    expect(api.paths['/v1/holders'].get['x-crm-permission']).toEqual({ resource: 'holders', action: 'get' });
  });

  it('audits callers as anonymous', async () => {
    const organizationId = randomUUID();
    expect((await crm.request('/v1/holders', { headers: organizationHeaders(organizationId) })).status).toBe(200);
    const items = await eventually(
      async (): Promise<Array<{ actor: unknown; action: string }>> =>
        (await crm.request('/v1/audit-events', { headers: organizationHeaders(organizationId) })).body.items,
      (list) => list.length > 0,
    );
    expect(items[0]).toMatchObject({ action: 'holders.get', actor: { subject: 'anonymous', type: 'anonymous' } });
  });
});
