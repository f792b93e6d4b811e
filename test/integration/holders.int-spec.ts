import type { Connection, Model } from 'mongoose';
import { getModelToken } from '@nestjs/mongoose';
import { HOLDER_MODEL } from '../../apps/crm/src/holder/holder.schema';
import { orgClient, OrgClient } from '../utils/api';
import { openDatabase } from '../utils/crm-with-midaz';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { REFERENCE_AVAILABLE, REFERENCE_SKIP_REASON, referenceValidator } from '../utils/reference-contract';
import { startTestApp, testEnv, TestApp } from '../utils/test-app';
import { cpf } from '../factories/documents';
import { completeNaturalPerson, legalPerson } from '../factories/holders';

describe('holders API', () => {
  let crm: TestApp;
  let api: OrgClient;
  let connection: Connection;

  beforeAll(async () => {
    crm = await startTestApp(testEnv({ MAX_PAGINATION_LIMIT: '50' }));
    api = orgClient(crm);
    connection = await openDatabase(crm);
  });
  afterAll(async () => {
    await connection.close();
    await crm.close();
  });

  describe('POST /v1/holders', () => {
    it('stores no empty object: a create with `{}` parts answers, stores and reads back without them', async () => {
      const response = await api.post('/v1/holders', { ...legalPerson(), contact: {}, metadata: {} });
      expect(response.status).toBe(201);
      const stored = await connection.db!.collection('holders').findOne({ _id: response.body.id });
      expect(stored).toHaveProperty('document'); // the record is there…
      expect(stored).not.toHaveProperty('contact'); // …without the empty parts
      expect(stored).not.toHaveProperty('metadata');
      expect(response.body).not.toHaveProperty('contact');
      expect((await api.get(`/v1/holders/${response.body.id}`)).body).toEqual(response.body);
    });

    it('creates a holder: 201 with id (UUIDv7), timestamps, deletedAt null, and no crypto artefacts', async () => {
      const body = completeNaturalPerson();
      const response = await api.post('/v1/holders', body);
      expect(response.status).toBe(201);
      expect(response.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(response.body).toMatchObject({
        type: 'NATURAL_PERSON',
        name: body.name,
        document: body.document,
        contact: body.contact,
        naturalPerson: body.naturalPerson,
        metadata: body.metadata,
        deletedAt: null,
      });
      expect(Date.parse(response.body.createdAt)).not.toBeNaN();
      expect(response.text).not.toMatch(/v1:[0-9a-f]{8}:|"search"|organizationId|_id/);
    });

    it('stores no protected value in plain text', async () => {
      const body = legalPerson({
        document: '12.ABC.345/01DE-35',
        contact: { primaryEmail: 'finance@acme.example', otherPhone: '+55 11 3333-4444' },
      });
      const created = await api.post('/v1/holders', body);
      expect(created.status).toBe(201);
      const stored = await rawCollectionText(connection, 'holders');
      // Control: the record is there, and its trade name (not protected) is seen in plain text.
      expectNoPlaintext(
        stored,
        [
          body.name,
          body.document,
          'finance@acme.example',
          '+55 11 3333-4444',
          'Rita Souza',
          '529.982.247-25',
          'rita@acme.example',
          'Maria Aparecida Silva',
          'maria.silva@example.com',
          'Joana Silva',
          'Carlos Silva',
        ],
        [created.body.id, 'Acme'],
      );
    });

    it.each([
      ['an unknown type', { type: 'ROBOT' }, 'CRM-0004'],
      ['naturalPerson on a LEGAL_PERSON', { type: 'LEGAL_PERSON', legalPerson: undefined }, 'CRM-0004'],
      ['an impossible birthDate', { naturalPerson: { birthDate: '2023-02-29' } }, 'CRM-0004'],
      ['a badly written birthDate', { naturalPerson: { birthDate: '28/02/1990' } }, 'CRM-0004'],
      ['a lower-case country', { addresses: { primary: { country: 'br' } } }, 'CRM-0004'],
      ['an array where an object belongs', { addresses: [] }, 'CRM-0004'],
      ['a nested metadata value', { metadata: { a: { b: 1 } } }, 'CRM-0001'],
      ['a metadata key over 100 characters', { metadata: { ['k'.repeat(101)]: 1 } }, 'CRM-0002'],
      ['a metadata value over 2000 characters', { metadata: { note: 'x'.repeat(2001) } }, 'CRM-0012'],
      ['an unknown field', { nickname: 'x' }, 'CRM-0007'],
    ])('rejects %s with 400 %s', async (_case, overrides, code) => {
      const response = await api.post('/v1/holders', completeNaturalPerson(overrides));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
    });

    it('rejects a company foundingDate that is not a date with 400, not 500', async () => {
      const response = await api.post(
        '/v1/holders',
        legalPerson({ document: '11.444.777/0001-61', legalPerson: { foundingDate: '2020-13-01' } }),
      );
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0004');
    });

    it('requires type, name and document: 400 CRM-0003 listing them', async () => {
      const response = await api.post('/v1/holders', { externalId: 'x' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CRM-0003');
      expect(Object.keys(response.body.fields).sort()).toEqual(['document', 'name', 'type']);
    });

    it('allows one active holder per document: 409 CRM-0010, format-insensitively', async () => {
      const document = cpf();
      expect((await api.post('/v1/holders', completeNaturalPerson({ document }))).status).toBe(201);
      const formatted = `${document.slice(0, 3)}.${document.slice(3, 6)}.${document.slice(6, 9)}-${document.slice(9)}`;
      const duplicate = await api.post('/v1/holders', completeNaturalPerson({ document: formatted }));
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ code: 'CRM-0010', entityType: 'Holder' });
    });

    it('lets another organization use the same document', async () => {
      const document = cpf();
      expect((await api.post('/v1/holders', completeNaturalPerson({ document }))).status).toBe(201);
      expect((await orgClient(crm).post('/v1/holders', completeNaturalPerson({ document }))).status).toBe(201);
    });

    it('resolves 50 concurrent creates of one document into exactly one 201 and 49 409s', async () => {
      const document = cpf();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => api.post('/v1/holders', completeNaturalPerson({ document }))),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
      const listed = await api.get(`/v1/holders?document=${document}&count=true`);
      expect(listed.body.total).toBe(1);
    });
  });

  describe('GET /v1/holders/:id', () => {
    it('returns the holder, 404 CRM-0006 for an unknown id, 400 CRM-0005 for a malformed one', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      expect((await api.get(`/v1/holders/${created.id}`)).body).toEqual(created);
      const missing = await api.get('/v1/holders/0193a2b4-0000-7000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'CRM-0006', entityType: 'Holder' });
      expect((await api.get('/v1/holders/123')).body.code).toBe('CRM-0005');
    });

    it("never shows another organization's holder: 404", async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      const other = orgClient(crm);
      expect((await other.get(`/v1/holders/${created.id}`)).status).toBe(404);
      expect((await other.patch(`/v1/holders/${created.id}`, { name: 'Hijack' })).status).toBe(404);
      expect((await other.delete(`/v1/holders/${created.id}`)).status).toBe(404);
      // The same search finds it in its own organization, so the empty answer below is the scoping.
      const search = `/v1/holders?document=${created.document}`;
      expect((await api.get(search)).body.items.map((item: { id: string }) => item.id)).toEqual([created.id]);
      expect((await other.get(search)).body.items).toEqual([]);
      expect((await api.get(`/v1/holders/${created.id}`)).body.name).toBe(created.name);
    });
  });

  describe('PATCH /v1/holders/:id', () => {
    it('merges nested objects, removes keys sent as null, and keeps the rest', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      const response = await api.patch(`/v1/holders/${created.id}`, {
        name: 'Maria A. Silva',
        contact: { primaryEmail: null, secondaryEmail: 'maria@new.example' },
        naturalPerson: { motherName: null },
        externalId: null,
        metadata: { tier: null, channel: 'app' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        name: 'Maria A. Silva',
        contact: { mobilePhone: '+55 11 98765-4321', secondaryEmail: 'maria@new.example' },
        naturalPerson: { favoriteName: 'Mari', fatherName: 'Carlos Silva' },
        metadata: { segment: 'retail', vip: true, channel: 'app' },
      });
      expect(response.body.contact).not.toHaveProperty('primaryEmail');
      expect(response.body.naturalPerson).not.toHaveProperty('motherName');
      expect(response.body).not.toHaveProperty('externalId');
      expect(response.body.metadata).not.toHaveProperty('tier');
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect((await api.get(`/v1/holders/${created.id}`)).body).toEqual(response.body);
      expectNoPlaintext(
        await rawCollectionText(connection, 'holders'),
        ['Maria A. Silva', 'maria@new.example'],
        [created.id],
      );
    });

    it('refuses to change type or document: 400 CRM-0007', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      for (const patch of [{ type: 'LEGAL_PERSON' }, { document: '52998224725' }]) {
        const response = await api.patch(`/v1/holders/${created.id}`, patch);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('CRM-0007');
      }
    });

    it('refuses legalPerson on a natural person', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      expect((await api.patch(`/v1/holders/${created.id}`, { legalPerson: { tradeName: 'x' } })).body.code).toBe(
        'CRM-0004',
      );
    });

    it('does not revive a soft-deleted holder: 404', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      expect((await api.delete(`/v1/holders/${created.id}`)).status).toBe(204);
      expect((await api.patch(`/v1/holders/${created.id}`, { name: 'Back' })).status).toBe(404);
      expect((await api.get(`/v1/holders/${created.id}?include_deleted=true`)).body.name).toBe(created.name);
    });
    it('a holder deleted while its PATCH is under way stays deleted and unchanged: 404, never 500', async () => {
      const holders = crm.app.get<Model<unknown>>(getModelToken(HOLDER_MODEL)).collection as unknown as {
        findOne: (...args: unknown[]) => Promise<unknown>;
      };
      const findOne = holders.findOne.bind(holders);
      const deleteAfterLoad = (remove: () => Promise<unknown>) =>
        jest.spyOn(holders, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
          const found = await findOne(...args);
          await remove();
          return found;
        });
      for (const hard of [false, true]) {
        const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
        deleteAfterLoad(() => api.delete(`/v1/holders/${created.id}${hard ? '?hard_delete=true' : ''}`));
        const response = await api.patch(`/v1/holders/${created.id}`, { name: 'Too Late' });
        expect([response.status, response.body.code]).toEqual([404, 'CRM-0006']);
        const after = await api.get(`/v1/holders/${created.id}?include_deleted=true`);
        if (hard) expect(after.status).toBe(404);
        else expect(after.body).toMatchObject({ name: created.name, deletedAt: expect.any(String) });
      }
      // Without a deletion in between, the same PATCH is written.
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      deleteAfterLoad(() => Promise.resolve());
      expect((await api.patch(`/v1/holders/${created.id}`, { name: 'In Time' })).body.name).toBe('In Time');
    });
  });

  describe('DELETE /v1/holders/:id', () => {
    it('soft-deletes by default, then hard-deletes on request, and frees the document', async () => {
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      expect((await api.delete(`/v1/holders/${created.id}`)).status).toBe(204);
      expect((await api.get(`/v1/holders/${created.id}`)).status).toBe(404);
      const deleted = await api.get(`/v1/holders/${created.id}?include_deleted=true`);
      expect(Date.parse(deleted.body.deletedAt)).not.toBeNaN();
      expect((await api.delete(`/v1/holders/${created.id}`)).status).toBe(404);

      expect((await api.post('/v1/holders', completeNaturalPerson({ document: created.document }))).status).toBe(201);

      expect((await api.delete(`/v1/holders/${created.id}?hard_delete=true`)).status).toBe(204);
      expect((await api.get(`/v1/holders/${created.id}?include_deleted=true`)).status).toBe(404);
      expect(await connection.db!.collection('holders').countDocuments({ _id: created.id })).toBe(0);
    });
  });

  describe('GET /v1/holders', () => {
    const lister = () => orgClient(crm);

    it('pages in creation order by default, newest first with sort_order=desc, with total on request', async () => {
      const client = lister();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await client.post('/v1/holders', completeNaturalPerson())).body.id);
      const first = await client.get('/v1/holders?limit=2&count=true');
      expect(first.body).toMatchObject({ page: 1, limit: 2, total: 5 });
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0], ids[1]]);
      const third = await client.get('/v1/holders?limit=2&page=3');
      expect(third.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4]]);
      const descending = await client.get('/v1/holders?sort_order=desc&limit=10');
      expect(descending.body.items.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
      expect(descending.body).not.toHaveProperty('total');
    });

    it('walks every page with the keyset cursor', async () => {
      const client = lister();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await client.post('/v1/holders', completeNaturalPerson())).body.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.get(`/v1/holders?limit=2&sort_order=desc${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item: { id: string }) => item.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await client.get('/v1/holders?cursor=bm90LWEtY3Vyc29y')).body.code).toBe('CRM-0016');
    });

    it('filters by creation date window (both dates or neither)', async () => {
      const client = lister();
      // The day the record was created (not the clock's today, which may have turned since).
      const today = (await client.post('/v1/holders', completeNaturalPerson())).body.createdAt.slice(0, 10);
      expect((await client.get(`/v1/holders?start_date=${today}&end_date=${today}`)).body.items).toHaveLength(1);
      expect((await client.get('/v1/holders?start_date=2000-01-01&end_date=2000-12-31')).body.items).toHaveLength(0);
      expect((await client.get(`/v1/holders?start_date=${today}`)).body.code).toBe('CRM-0016');
      expect((await client.get('/v1/holders?start_date=2020-01-02&end_date=2020-01-01')).body.code).toBe('CRM-0016');
      expect((await client.get('/v1/holders?start_date=2020-02-30&end_date=2020-03-01')).body.code).toBe('CRM-0016');
    });

    it('filters by document (format-insensitive), external_id and several typed metadata filters', async () => {
      const client = lister();
      const document = cpf();
      const target = (
        await client.post(
          '/v1/holders',
          completeNaturalPerson({
            document,
            externalId: 'EXT-TARGET',
            metadata: { segment: 'corporate', tier: 7, vip: false },
          }),
        )
      ).body;
      await client.post(
        '/v1/holders',
        completeNaturalPerson({ metadata: { segment: 'corporate', tier: 8, vip: false } }),
      );
      await client.post('/v1/holders', completeNaturalPerson({ metadata: { segment: 'retail', tier: 7, vip: false } }));
      const formatted = `${document.slice(0, 3)}.${document.slice(3, 6)}.${document.slice(6, 9)}-${document.slice(9)}`;
      const ids = async (query: string) =>
        (await client.get(`/v1/holders?${query}`)).body.items.map((item: { id: string }) => item.id);
      expect(await ids(`document=${encodeURIComponent(formatted)}`)).toEqual([target.id]);
      expect(await ids('external_id=EXT-TARGET')).toEqual([target.id]);
      expect(await ids('metadata.segment=corporate&metadata.tier=7')).toEqual([target.id]);
      expect(await ids('metadata.segment=corporate&metadata.tier=7&metadata.vip=false')).toEqual([target.id]);
      expect(await ids('metadata.segment=corporate')).toHaveLength(2);
      expect(await ids('metadata.vip=true')).toHaveLength(0);
    });

    it('hides soft-deleted holders unless include_deleted=true', async () => {
      const client = lister();
      const created = (await client.post('/v1/holders', completeNaturalPerson())).body;
      await client.delete(`/v1/holders/${created.id}`);
      expect((await client.get('/v1/holders')).body.items).toHaveLength(0);
      expect((await client.get('/v1/holders?include_deleted=true')).body.items).toHaveLength(1);
    });

    it.each([
      ['limit=51', 'CRM-0009'],
      ['limit=0', 'CRM-0016'],
      ['page=99999999999999999999', 'CRM-0016'],
      ['page=0', 'CRM-0016'],
      ['sort_order=sideways', 'CRM-0011'],
      ['include_deleted=maybe', 'CRM-0016'],
      ['unknown=1', 'CRM-0016'],
    ])('rejects %s with %s', async (query, code) => {
      const response = await lister().get(`/v1/holders?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
    });
  });

  describe('reference contract', () => {
    if (!REFERENCE_AVAILABLE) {
      it.skip(`HolderResponse: ${REFERENCE_SKIP_REASON}`, () => undefined);
      return;
    }
    it('responses validate against the reference HolderResponse schema', async () => {
      const validate = referenceValidator('HolderResponse');
      const responses = [
        (await api.post('/v1/holders', completeNaturalPerson())).body,
        (await api.post('/v1/holders', legalPerson({ document: '45.723.174/0001-10' }))).body,
      ];
      responses.push(...(await api.get('/v1/holders?limit=5')).body.items);
      for (const body of responses) {
        if (!validate(body)) throw new Error(`HolderResponse mismatch: ${JSON.stringify(validate.errors)}`);
      }
    });
  });
});

describe('holder options', () => {
  it('DOCUMENT_VALIDATION=br requires a valid CPF or CNPJ (alphanumeric too): 400 CRM-0033', async () => {
    const crm = await startTestApp(testEnv({ DOCUMENT_VALIDATION: 'br' }));
    const api = orgClient(crm);
    try {
      expect((await api.post('/v1/holders', completeNaturalPerson({ document: '529.982.247-25' }))).status).toBe(201);
      expect((await api.post('/v1/holders', completeNaturalPerson({ document: '529.982.247-24' }))).body.code).toBe(
        'CRM-0033',
      );
      expect((await api.post('/v1/holders', legalPerson({ document: '12.ABC.345/01DE-35' }))).status).toBe(201);
      const badCompany = await api.post('/v1/holders', legalPerson({ document: '12.ABC.345/01DE-34' }));
      expect(badCompany.status).toBe(400);
      expect(badCompany.body).toMatchObject({ code: 'CRM-0033', fields: { document: 'must be a valid CNPJ' } });
      expect((await api.post('/v1/holders', legalPerson({ document: '529.982.247-25' }))).body.code).toBe('CRM-0033');
    } finally {
      await crm.close();
    }
  });

  it('METADATA_PII_GUARD=reject refuses personal data in metadata, naming the key: 400 CRM-0034', async () => {
    const crm = await startTestApp(testEnv({ METADATA_PII_GUARD: 'reject' }));
    const api = orgClient(crm);
    try {
      const response = await api.post(
        '/v1/holders',
        completeNaturalPerson({ metadata: { backupEmail: 'someone@example.com', segment: 'retail' } }),
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'CRM-0034',
        fields: { 'metadata.backupEmail': expect.stringContaining('e-mail') },
      });
      expect(response.text).not.toContain('someone@example.com');
      const created = (await api.post('/v1/holders', completeNaturalPerson())).body;
      expect(
        (await api.patch(`/v1/holders/${created.id}`, { metadata: { card: '4111 1111 1111 1111' } })).body.code,
      ).toBe('CRM-0034');
    } finally {
      await crm.close();
    }
  });
});
