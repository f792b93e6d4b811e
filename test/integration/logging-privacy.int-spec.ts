import { randomUUID } from 'node:crypto';
import { orgClient } from '../utils/api';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { organizationHeaders } from '../factories/organization';

// A file of its own: nestjs-pino logs into the capture of the first app a test file starts.
describe('request logging: what a caller or a browser controls', () => {
  let crm: TestApp;
  const entryOf = (requestId: string) =>
    crm.logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.req?.id === requestId && entry.res);
  const logged = async (requestId: string) => {
    expect(await crm.logs.waitFor((entry) => entry.req?.id === requestId && entry.res)).toBe(true);
    return entryOf(requestId);
  };

  beforeAll(async () => (crm = await startTestApp(testEnv({ LOG_LEVEL: 'trace', MAX_PAGINATION_LIMIT: '50' }))));
  afterAll(() => crm.close());

  it('logs an allow-list of headers, each only in a valid form, and never the others', async () => {
    const organizationId = randomUUID();
    const userAgent = `probe-agent/2.0 (contato hdr.agent@example.com) ${'x'.repeat(80)} agent-tail-marker-71`;
    const response = await crm.request('/v1/holders?limit=5', {
      headers: {
        'x-request-id': 'headers-check',
        'x-organization-id': organizationId,
        referer: 'https://backoffice.example/holders?document=98765432100&email=hdr.referer@example.com',
        'proxy-authorization': 'Basic cHJveHktc2VjcmV0LW1hcmtlcg==',
        'x-customer-document': 'hdr-customer-doc-marker',
        'user-agent': userAgent,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
    expect(response.status).toBe(200);
    const { req } = await logged('headers-check');
    expect(Object.keys(req.headers).sort()).toEqual([
      'host',
      'traceparent',
      'user-agent',
      'x-organization-id',
      'x-request-id',
    ]);
    expect(req.headers).toMatchObject({
      'x-request-id': 'headers-check',
      'x-organization-id': organizationId,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(req.headers['user-agent']).toMatch(/^probe-agent\/2\.0 \(contato \[REDACTED\] x+$/);
    for (const marker of [
      '98765432100',
      'hdr.referer@example.com',
      'cHJveHktc2VjcmV0LW1hcmtlcg',
      'hdr-customer-doc-marker',
      'hdr.agent@example.com',
      'agent-tail-marker-71',
      'backoffice.example',
    ]) {
      expect({ marker, found: crm.logs.text.includes(marker) }).toEqual({ marker, found: false });
    }
  });

  it('logs paging values only once they validated, [INVALID] otherwise', async () => {
    const headers = organizationHeaders(randomUUID());
    const cursorOfDocument = Buffer.from('98765432100').toString('base64url');
    const invalid = [
      ['/v1/holders?limit=98765432100', 'limit=[INVALID]'],
      ['/v1/holders?sort_order=Maria%20Query%20Souza', 'sort_order=[INVALID]'],
      [`/v1/holders?cursor=${cursorOfDocument}`, 'cursor=[INVALID]'],
      ['/v1/holders?include_deleted=query.marker%40example.com', 'include_deleted=[INVALID]'],
      ['/v1/aliases?holder_id=98765432100', 'holder_id=[INVALID]'],
      ['/v1/holders?page=1%3Fdocument%3D98765432100', 'page=[INVALID]'],
      ['/v1/holders?start_date=98765432100&end_date=2026-01-01', 'start_date=[INVALID]&end_date=2026-01-01'],
    ];
    for (const [index, [path, shown]] of invalid.entries()) {
      const response = await crm.request(path, { headers: { ...headers, 'x-request-id': `query-${index}` } });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect((await logged(`query-${index}`)).req.url).toBe(`${path.split('?')[0]}?${shown}`);
    }
    const valid = await crm.request(
      '/v1/holders?limit=5&page=2&sort_order=desc&count=true&document=98765432100&metadata.tier=gold',
      { headers: { ...headers, 'x-request-id': 'query-valid' } },
    );
    expect(valid.status).toBe(200);
    expect((await logged('query-valid')).req.url).toBe(
      '/v1/holders?limit=5&page=2&sort_order=desc&count=true&document=[REDACTED]&metadata.tier=[REDACTED]',
    );
    for (const marker of ['98765432100', cursorOfDocument, 'Maria', 'query.marker', 'gold'])
      expect({ marker, found: crm.logs.text.includes(marker) }).toEqual({ marker, found: false });
  });

  it('logs a path as its route template, keeping only ids that are UUIDs', async () => {
    const headers = organizationHeaders(randomUUID());
    const id = randomUUID();
    const cases = [
      [`/v1/holders/${id}`, `/v1/holders/${id}`, 404],
      ['/v1/holders/98765432100', '/v1/holders/:invalid', 400],
      [`/v1/holders/${id}/aliases/path.marker%40example.com`, `/v1/holders/${id}/aliases/:invalid`, 400],
      ['/v1/people/98765432100/path-marker-segment', '/v1/:invalid/:invalid/:invalid', 404],
      ['/98765432100', '/:invalid', 404],
    ] as const;
    for (const [index, [path, shown, status]] of cases.entries()) {
      const response = await crm.request(path, { headers: { ...headers, 'x-request-id': `path-${index}` } });
      expect({ path, status: response.status }).toEqual({ path, status });
      expect((await logged(`path-${index}`)).req.url).toBe(shown);
    }
    for (const marker of ['98765432100', 'path.marker', 'path-marker-segment', 'people'])
      expect({ marker, found: crm.logs.text.includes(marker) }).toEqual({ marker, found: false });
  });

  it('names metadata keys only when they are not personal data themselves, in the PII guard and in filters', async () => {
    const api = orgClient(crm);
    const response = await api.post('/v1/holders', {
      type: 'NATURAL_PERSON',
      name: 'Chave Sujeito',
      document: '52998224725',
      metadata: { 'cliente 11144477735': 'x', '+55 11 91234-5678': 'y', contactCpf: '529.982.247-25', tier: 3 },
    });
    expect(response.status).toBe(201);
    expect(await crm.logs.waitFor((entry) => Array.isArray(entry.metadataKeys))).toBe(true);
    const warning = crm.logs.lines.map((text) => JSON.parse(text)).find((entry) => Array.isArray(entry.metadataKeys));
    expect(warning).toMatchObject({
      metadataKeys: ['contactCpf'],
      kinds: ['CPF'],
      keysLookingPersonal: 2,
      keyKinds: expect.arrayContaining(['phone number', 'CPF']),
    });

    const listed = await crm.request('/v1/holders?metadata.keymarker-52998224725=gold&metadata.tier=3', {
      headers: organizationHeaders(api.organizationId, { 'x-request-id': 'metadata-filter' }),
    });
    expect(listed.status).toBe(200);
    expect((await logged('metadata-filter')).req.url).toBe(
      '/v1/holders?metadata.[REDACTED]=[REDACTED]&metadata.tier=[REDACTED]',
    );
    for (const marker of ['keymarker', '11144477735', '91234-5678', '529.982.247-25'])
      expect({ marker, found: crm.logs.text.includes(marker) }).toEqual({ marker, found: false });
  });
});
