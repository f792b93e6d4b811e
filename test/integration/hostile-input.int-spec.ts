import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { orgClient } from '../utils/api';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';
import { organizationHeaders } from '../factories/organization';

/** Input an attacker or a sloppy client sends: Unicode look-alikes, odd keys, odd numbers, odd media types. */
describe('hostile input', () => {
  const stack = crmWithMidazForAll({ DOCUMENT_VALIDATION: 'off' });

  describe('Unicode-safe identifiers', () => {
    const variants = [
      ['fullwidth digits', '５５５１２３４５６７８'],
      ['Arabic-Indic digits', '٥٥٥١٢٣٤٥٦٧٨'],
      ['superscript digits', '⁵⁵⁵¹²³⁴⁵⁶⁷⁸'],
      ['math bold digits', '𝟓𝟓𝟓𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖'],
      ['zero-width space', '555\u200B12345678'],
      ['zero-width joiner', '5551\u200D2345678'],
      ['soft hyphen', '55512\u00AD345678'],
      ['en dash', '555–123–456–78'],
    ];

    it.each(variants)(
      '%s: a second holder with the "same" document is refused, and search finds the first',
      async (_name, variant) => {
        const client = orgClient(stack.crm);
        const first = await client.post('/v1/holders', {
          type: 'NATURAL_PERSON',
          name: 'Ana',
          document: '555.123.456-78',
        });
        expect(first.status).toBe(201);
        const second = await client.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document: variant });
        expect([second.status, second.body.code]).toEqual([409, 'CRM-0010']);
        const found = await client.get(`/v1/holders?document=${encodeURIComponent(variant)}`);
        expect(found.body.items.map((holder: { id: string }) => holder.id)).toEqual([first.body.id]);
      },
    );

    it('ligatures fold (NFKC); accented letters, composed (NFC) or not (NFD), are refused alike', async () => {
      for (const form of ['NFC', 'NFD'] as const) {
        const accented = await stack.api.post('/v1/holders', {
          type: 'LEGAL_PERSON',
          name: 'Firma',
          document: 'É7788'.normalize(form),
        });
        expect([form, accented.status, accented.body.code]).toEqual([form, 400, 'CRM-0004']);
      }
      const created = await stack.api.post('/v1/holders', { type: 'LEGAL_PERSON', name: 'Firma', document: 'ﬁ7788' });
      expect(created.status).toBe(201);
      expect(
        (await stack.api.post('/v1/holders', { type: 'LEGAL_PERSON', name: 'Firma', document: 'FI-7788' })).status,
      ).toBe(409);
    });

    it.each([
      ['   ', 'CRM-0003'],
      ['.-/', 'CRM-0003'],
      ['\u200B', 'CRM-0003'],
      ['', 'CRM-0003'],
      ['straße1', 'CRM-0004'],
      ['ıd99', 'CRM-0004'],
    ])('document %j is refused with %s naming the field', async (document, code) => {
      const response = await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document });
      expect([response.status, response.body.code]).toEqual([400, code]);
      expect(Object.keys(response.body.fields)).toEqual(['document']);
    });

    it('upper-casing is ASCII-only: STRASSE1 and ID99 are accepted and stay distinct', async () => {
      expect(
        (await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document: 'STRASSE1' })).status,
      ).toBe(201);
      expect(
        (await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document: 'ID99' })).status,
      ).toBe(201);
    });

    it('a search with a value that cannot be an identifier is a 400, not an empty page', async () => {
      const response = await stack.api.get(`/v1/holders?document=${encodeURIComponent('.-/')}`);
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0016']);
      expect((await stack.api.get('/v1/holders?document=12345678909')).status).toBe(200);
    });

    it('alias identifiers (account, IBAN, participant and related-party documents) follow the same rule', async () => {
      const holder = (
        await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Rui', document: '77788899900' })
      ).body;
      const ledgerId = randomUUID();
      const accountId = randomUUID();
      stack.midaz.addAccount(stack.api.organizationId, ledgerId, accountId);
      const base = { ledgerId, accountId };
      for (const [body, field] of [
        [{ bankingDetails: { account: '--' } }, 'bankingDetails.account'],
        [{ bankingDetails: { iban: 'ＧＢ８２ ß' } }, 'bankingDetails.iban'],
        [{ regulatoryFields: { participantDocument: '\u200B' } }, 'regulatoryFields.participantDocument'],
      ] as const) {
        const refused = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ...base, ...body });
        expect([refused.status, Object.keys(refused.body.fields)]).toEqual([400, [field]]);
      }
      const party = { document: ' . ', name: 'Rita', role: 'PRIMARY_HOLDER', startDate: '2025-01-01' };
      expect(
        (await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ...base, relatedParties: [party] })).body.code,
      ).toBe('CRM-0026');

      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, {
        ...base,
        bankingDetails: { account: '１２３４５-６', iban: 'gb82 west 1234 5698 7654 32' },
        regulatoryFields: { participantDocument: '12.345.678/0001-95' },
        relatedParties: [{ ...party, document: '٩٨٧٦٥٤٣٢١٠٠' }],
      });
      expect(created.status).toBe(201);
      for (const query of [
        'banking_details_account=123456',
        'banking_details_iban=GB82WEST12345698765432',
        'regulatory_fields_participant_document=12345678000195',
        'related_party_document=98765432100',
      ]) {
        const found = await stack.api.get(`/v1/aliases?${query}`);
        expect([query, found.body.items?.map((alias: { id: string }) => alias.id)]).toEqual([query, [created.body.id]]);
      }
    });
  });

  describe('no 500 on any input', () => {
    it.each([
      'metadata..=1',
      'metadata.x..y=1',
      'metadata.x.=1',
      'metadata.%2E=1',
      'metadata.__proto__=1',
      'metadata.constructor=1',
      'metadata.prototype=1',
      'metadata.%24where=1',
      'metadata.a%00b=1',
      'metadata.+=1',
      'metadata.%09=1',
      'metadata.a%0Ab=1',
    ])('list filter %s is a 400 CRM-0016', async (query) => {
      for (const route of ['/v1/holders', '/v1/aliases']) {
        const response = await stack.api.get(`${route}?${query}`);
        expect([route, response.status, response.body.code]).toEqual([route, 400, 'CRM-0016']);
      }
    });

    it('a valid metadata filter still filters (the control for the refusals above)', async () => {
      const client = orgClient(stack.crm);
      const tagged = (
        await client.post('/v1/holders', {
          type: 'NATURAL_PERSON',
          name: 'Tag',
          document: '11122233344',
          metadata: { tier: 1 },
        })
      ).body;
      await client.post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Other',
        document: '11122233355',
        metadata: { tier: 2 },
      });
      expect((await client.get('/v1/holders?metadata.tier=1')).body.items.map((h: { id: string }) => h.id)).toEqual([
        tagged.id,
      ]);
    });

    it.each(['0x1', ' 1', '+1', 'Infinity', '0b1', '1.', '01'])(
      'typed metadata filters accept only decimal literals: %j matches no stored 1',
      async (literal) => {
        const client = orgClient(stack.crm);
        await client.post('/v1/holders', {
          type: 'NATURAL_PERSON',
          name: 'One',
          document: '99988877766',
          metadata: { n: 1 },
        });
        for (const decimal of ['1', '1.0', '1e0'])
          expect((await client.get(`/v1/holders?metadata.n=${decimal}`)).body.items).toHaveLength(1);
        const response = await client.get(`/v1/holders?metadata.n=${encodeURIComponent(literal)}`);
        expect([response.status, response.body.items]).toEqual([200, []]);
      },
    );

    it.each([
      ['__proto__', 'metadata', 'CRM-0004'],
      ['constructor', 'metadata', 'CRM-0004'],
      ['prototype', 'metadata', 'CRM-0004'],
      ['constructor', 'contact', 'CRM-0004'],
      ['__proto__', 'addresses', 'CRM-0004'],
      ['$where', 'metadata', 'CRM-0001'],
      ['$set', 'contact', 'CRM-0007'],
    ])('key %j inside %s is refused with %s', async (key, parent, code) => {
      const response = await stack.crm.request('/v1/holders', {
        method: 'POST',
        headers: organizationHeaders(stack.api.organizationId, { 'content-type': 'application/json' }),
        body: `{"type":"NATURAL_PERSON","name":"Ana","document":"12312312399","${parent}":{"${key}":"x"}}`,
      });
      expect([response.status, response.body.code]).toEqual([400, code]);
    });

    it('a metadata key that is not reserved is stored (the control for the refusals above)', async () => {
      const response = await stack.api.post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Ana',
        document: '12312312399',
        metadata: { constructed: 'x' },
      });
      expect([response.status, response.body.metadata]).toEqual([201, { constructed: 'x' }]);
    });

    it.each(['1e309', '-1e309'])('a number that overflows (%s) is a 400 CRM-0004', async (number) => {
      const client = orgClient(stack.crm);
      const response = await stack.crm.request('/v1/holders', {
        method: 'POST',
        headers: organizationHeaders(client.organizationId, { 'content-type': 'application/json' }),
        body: `{"type":"NATURAL_PERSON","name":"Ana","document":"12312312388","metadata":{"n":${number}}}`,
      });
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0004']);
      const finite = await client.post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Ana',
        document: '12312312388',
        metadata: { n: -1e308 },
      });
      expect([finite.status, finite.body.metadata]).toEqual([201, { n: -1e308 }]);
    });
  });

  describe('the worst bodies within the size limit do not stall the service', () => {
    const holderPath = `/v1/holders/${randomUUID()}/aliases`;
    const nested = (width: number, depth: number): unknown =>
      depth === 0 ? 0 : Array.from({ length: width }, () => nested(width, depth - 1));
    const bodies: Array<[string, string, number]> = [
      ['300,000 empty related parties', `{"relatedParties":[${Array(300_000).fill('{}').join(',')}]}`, 400],
      ['101 related parties', JSON.stringify({ relatedParties: Array(101).fill({}) }), 400],
      [
        '250,000 numbers in nested arrays',
        JSON.stringify({ metadata: { deep: nested(50, 3) }, x: nested(60, 3) }),
        400,
      ],
      [
        '100 objects of 100 keys',
        JSON.stringify({
          x: Object.fromEntries(
            Array.from({ length: 100 }, (_, i) => [
              `k${i}`,
              Object.fromEntries(Array.from({ length: 99 }, (_, j) => [`a${j}`, j])),
            ]),
          ),
        }),
        400,
      ],
    ];

    it.each(bodies)('%s: a 4xx, while /health keeps answering within 500 ms', async (_case, body, status) => {
      expect(body.length).toBeLessThan(1024 * 1024);
      let slowestHealth = 0;
      let answered = false;
      const healthLoop = (async () => {
        while (!answered) {
          const started = performance.now();
          await stack.crm.request('/health');
          slowestHealth = Math.max(slowestHealth, performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const response = await stack.crm.request(holderPath, {
        method: 'POST',
        headers: organizationHeaders(stack.api.organizationId, { 'content-type': 'application/json' }),
        body,
      });
      answered = true;
      await healthLoop;
      expect([response.status, response.body.code]).toEqual([status, expect.stringMatching(/^CRM-00/)]);
      expect(slowestHealth).toBeLessThan(500);
    });
  });

  describe('bodies and methods', () => {
    const holderJson = (document: string) => JSON.stringify({ type: 'NATURAL_PERSON', name: 'Ana', document });
    const send = (path: string, method: string, contentType: string | undefined, body?: string) =>
      stack.crm.request(path, {
        method,
        headers: {
          'x-organization-id': stack.api.organizationId,
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        body,
      });

    it.each([
      ['application/x-www-form-urlencoded', 'type=NATURAL_PERSON&name=Ana&document=44455566677'],
      ['text/plain', holderJson('44455566677')],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/xml', '<holder/>'],
    ])('%s is refused with 415 CRM-0039 and nothing is stored', async (contentType, body) => {
      const response = await send('/v1/holders', 'POST', contentType, body);
      expect([response.status, response.body.code]).toEqual([415, 'CRM-0039']);
      expect(response.body.message).toContain('application/json');
      expect((await stack.api.get('/v1/holders?document=44455566677')).body.items).toEqual([]);
    });

    it('a JSON-looking body without a Content-Type is refused with 415, not read as a field name', async () => {
      const response = await stack.crm.request('/v1/holders', {
        method: 'POST',
        headers: organizationHeaders(stack.api.organizationId),
        body: new Blob([holderJson('44455566678')]),
      });
      expect([response.status, response.body.code]).toEqual([415, 'CRM-0039']);
    });

    it('application/json with a charset creates (the control for the refusals above)', async () => {
      expect(
        (await send('/v1/holders', 'POST', 'application/json; charset=utf-8', holderJson('44455566679'))).status,
      ).toBe(201);
    });

    it('PATCH accepts application/merge-patch+json (RFC 7396)', async () => {
      const holder = (
        await stack.api.post('/v1/holders', {
          type: 'NATURAL_PERSON',
          name: 'Ana',
          document: '44455566680',
          contact: { primaryEmail: 'a@example.com' },
        })
      ).body;
      const response = await send(
        `/v1/holders/${holder.id}`,
        'PATCH',
        'application/merge-patch+json',
        JSON.stringify({ name: 'Ana Maria', contact: { primaryEmail: null } }),
      );
      expect([response.status, response.body.name, response.body.contact]).toEqual([200, 'Ana Maria', undefined]);
    });

    it('GET and DELETE with Content-Type: application/json and no body work', async () => {
      const holder = (
        await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document: '44455566681' })
      ).body;
      expect((await send(`/v1/holders/${holder.id}`, 'GET', 'application/json')).status).toBe(200);
      expect((await send(`/v1/holders/${holder.id}`, 'DELETE', 'application/json')).status).toBe(204);
    });

    it('POST with Content-Type: application/json and no body is a 400 CRM-0004', async () => {
      const response = await send('/v1/holders', 'POST', 'application/json');
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0004']);
    });

    it.each([
      ['PUT', '/v1/holders/0195f3a0-0000-7000-8000-000000000001', 'DELETE, GET, HEAD, PATCH'],
      ['DELETE', '/v1/holders', 'GET, HEAD, POST'],
      ['POST', '/v1/aliases', 'GET, HEAD'],
      [
        'PATCH',
        '/v1/holders/0195f3a0-0000-7000-8000-000000000001/aliases/0195f3a0-0000-7000-8000-000000000002/related-parties/0195f3a0-0000-7000-8000-000000000003',
        'DELETE',
      ],
      ['TRACE', '/v1/holders', 'GET, HEAD, POST'],
      ['QUERY', '/v1/holders', 'GET, HEAD, POST'],
    ])('%s %s is a 405 with Allow: %s and the error envelope', async (method, path, allow) => {
      const { status, headers, body } = await rawRequest(method, path);
      expect([status, headers.allow, JSON.parse(body).code]).toEqual([405, allow, 'CRM-0045']);
    });

    it('a trailing slash names the same route, as in the original (Fiber, not strict)', async () => {
      const holder = (
        await stack.api.post('/v1/holders/', { type: 'NATURAL_PERSON', name: 'Ana', document: '44455566683' })
      ).body;
      expect((await stack.api.get(`/v1/holders/${holder.id}/`)).body.id).toBe(holder.id);
      const listed = await stack.api.get('/v1/holders/?limit=1');
      expect([listed.status, Array.isArray(listed.body.items)]).toEqual([200, true]);
      expect((await stack.api.get('/v1/audit-events/?limit=1')).status).toBe(200);
    });

    it.each([
      ['a lowercase method', 'get /v1/holders HTTP/1.1', 400, 'CRM-0015'],
      ['a method with a space in its path', 'GET /v1/hold ers HTTP/1.1', 400, 'CRM-0015'],
      ['an oversized header', `GET /v1/holders HTTP/1.1\r\nx-big: ${'a'.repeat(20_000)}`, 431, 'CRM-0047'],
    ])("%s: the error envelope, not the framework's", async (_case, requestLine, status, code) => {
      const raw = await rawExchange(`${requestLine}\r\nHost: localhost\r\n\r\n`);
      const [head, body] = raw.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe(
        `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Request Header Fields Too Large'}`,
      );
      expect(head.toLowerCase()).toContain('content-type: application/json');
      expect(JSON.parse(body)).toMatchObject({ code, title: expect.any(String), message: expect.any(String) });
    });

    it('an unknown path is still a 404 CRM-0038', async () => {
      const response = await stack.api.get('/v1/nothing-here');
      expect([response.status, response.body.code]).toEqual([404, 'CRM-0038']);
    });

    it('an unknown path under /swagger is a 404 CRM-0038, while a real one still answers', async () => {
      const missing = await stack.crm.request('/swagger/nonexistent');
      expect([missing.status, missing.headers.get('allow'), missing.body.code]).toEqual([404, null, 'CRM-0038']);
      const head = await rawRequest('HEAD', '/swagger/nonexistent');
      expect([head.status, head.headers.allow]).toEqual([404, undefined]);
      expect((await stack.crm.request('/swagger/json')).status).toBe(200);
    });

    it('another method on a path under /swagger is still a 405', async () => {
      const { status, headers } = await rawRequest('POST', '/swagger/json');
      expect([status, headers.allow]).toEqual([405, 'GET, HEAD']);
    });

    it('empty ?hard_delete= and ?include_deleted= are treated as absent', async () => {
      const holder = (
        await stack.api.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana', document: '44455566682' })
      ).body;
      expect((await stack.api.get(`/v1/holders/${holder.id}?include_deleted=`)).status).toBe(200);
      expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=`)).status).toBe(204);
      expect((await stack.api.get(`/v1/holders/${holder.id}?include_deleted=true`)).body.deletedAt).not.toBeNull(); // soft: still there
    });

    /** Bytes on a socket, for requests no HTTP client will send; resolves with all the server wrote. */
    function rawExchange(bytes: string): Promise<string> {
      const url = new URL(stack.crm.baseUrl.replace('[::1]', '127.0.0.1'));
      return new Promise((resolve, reject) => {
        let received = '';
        const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
    }

    /** node:http, since fetch refuses TRACE. A content type throughout: QUERY requires one (RFC 10008). */
    function rawRequest(
      method: string,
      path: string,
    ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
      const url = new URL(stack.crm.baseUrl.replace('[::1]', '127.0.0.1'));
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: organizationHeaders(stack.api.organizationId, { 'content-type': 'application/json' }),
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    }
  });
});
