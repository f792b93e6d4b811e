import { randomUUID } from 'node:crypto';
import { holderWithAlias, linkableHolder, relatedParty } from '../factories/aliases';
import { naturalPerson } from '../factories/holders';
import { crmWithMidazForAll } from '../utils/crm-with-midaz';

/**
 * Lerian CRM v3.8.0 compatibility: each test is one row of the "Differences from Lerian CRM v3.8.0" table
 * (docs/migrating-from-lerian.md) or one behaviour matched to the original (found by replaying generated
 * requests against both services). The request is here; the comment says what the original answers.
 */
describe('compatibility with Lerian CRM v3.8.0', () => {
  const stack = crmWithMidazForAll();

  const linkable = () => linkableHolder(stack.midaz, stack.api);

  describe('matched to the original', () => {
    it('omits absent optional fields: metadata, externalId, relatedParties (deletedAt: null stays)', async () => {
      const holder = await stack.api.post('/v1/holders', naturalPerson());
      expect(holder.status).toBe(201);
      expect(Object.keys(holder.body)).not.toEqual(expect.arrayContaining(['metadata']));
      expect(holder.body).not.toHaveProperty('externalId');
      expect(holder.body.deletedAt).toBeNull();
      const { holder: owner, ledgerId, accountId } = await linkable();
      const alias = await stack.api.post(`/v1/holders/${owner.id}/aliases`, { ledgerId, accountId });
      expect(alias.status).toBe(201);
      expect(alias.body).not.toHaveProperty('metadata');
      expect(alias.body).not.toHaveProperty('relatedParties');
      expect(alias.body.deletedAt).toBeNull();
      // Present when given (the control).
      const full = await stack.api.post('/v1/holders', naturalPerson({ externalId: 'EXT-1', metadata: { a: 1 } }));
      expect([full.body.externalId, full.body.metadata]).toEqual(['EXT-1', { a: 1 }]);
      const removed = await stack.api.patch(`/v1/holders/${full.body.id}`, { externalId: null });
      expect(removed.body).not.toHaveProperty('externalId');
    });

    it('start_date/end_date take yyyy-mm-dd hh:mm:ss (UTC; the end inclusive of its whole second), alone or mixed with yyyy-mm-dd', async () => {
      const first = (await stack.api.post('/v1/holders', naturalPerson())).body;
      // The second holder in a later second, so that a one-second window tells them apart.
      await new Promise((resolve) => setTimeout(resolve, 1050 - new Date(first.createdAt).getUTCMilliseconds()));
      const second = (await stack.api.post('/v1/holders', naturalPerson())).body;
      const secondOf = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
      expect(secondOf(first.createdAt)).not.toBe(secondOf(second.createdAt));
      const listed = async (start: string, end: string) => {
        const response = await stack.api.get(
          `/v1/holders?limit=100&start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`,
        );
        expect([start, end, response.status]).toEqual([start, end, 200]);
        const ids = (response.body.items as Array<{ id: string }>).map((holder) => holder.id);
        return [ids.includes(first.id), ids.includes(second.id)];
      };
      expect(await listed(secondOf(first.createdAt), secondOf(first.createdAt))).toEqual([true, false]);
      expect(await listed(secondOf(second.createdAt), secondOf(second.createdAt))).toEqual([false, true]);
      expect(await listed(first.createdAt.slice(0, 10), secondOf(first.createdAt))).toEqual([true, false]);
      expect(await listed(secondOf(second.createdAt), second.createdAt.slice(0, 10))).toEqual([false, true]);
      expect(await listed(secondOf(first.createdAt), secondOf(second.createdAt))).toEqual([true, true]);
      // `+` in a query string is a space too.
      const plus = await stack.api.get(
        `/v1/holders?limit=100&start_date=${secondOf(second.createdAt).replace(' ', '+')}&end_date=${second.createdAt.slice(0, 10)}`,
      );
      expect(plus.body.items.map((holder: { id: string }) => holder.id)).toContain(second.id);
    });

    // Go's strconv.ParseBool, which the original parses the flags with.
    it.each([
      ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((flag) => [flag, true] as const),
      ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((flag) => [flag, false] as const),
    ])('boolean flags accept %s, meaning %s', async (flag, meaning) => {
      const deleted = (await stack.api.post('/v1/holders', naturalPerson())).body;
      expect((await stack.api.delete(`/v1/holders/${deleted.id}`)).status).toBe(204);
      const shown = await stack.api.get(`/v1/holders/${deleted.id}?include_deleted=${flag}`);
      expect([flag, shown.status]).toEqual([flag, meaning ? 200 : 404]);

      const listed = await stack.api.get(`/v1/holders?count=${flag}&limit=1`);
      expect([flag, listed.status, 'total' in listed.body]).toEqual([flag, 200, meaning]);

      const removed = (await stack.api.post('/v1/holders', naturalPerson())).body;
      expect((await stack.api.delete(`/v1/holders/${removed.id}?hard_delete=${flag}`)).status).toBe(204);
      const after = await stack.api.get(`/v1/holders/${removed.id}?include_deleted=true`);
      expect([flag, after.status]).toEqual([flag, meaning ? 404 : 200]);
    });

    it('related-party dates accept RFC 3339 date-times and answer the calendar date', async () => {
      const {
        holder,
        ledgerId,
        accountId,
        response: created,
      } = await holderWithAlias(stack.midaz, stack.api, {
        relatedParties: [relatedParty({ startDate: '2023-12-25T00:00:00Z', endDate: '2024-01-31T18:30:00-03:00' })],
      });
      expect(created.status).toBe(201);
      expect(created.body.relatedParties[0]).toMatchObject({ startDate: '2023-12-25', endDate: '2024-01-31' });
      const invalid = await stack.api.post(`/v1/holders/${holder.id}/aliases`, {
        ledgerId,
        accountId,
        relatedParties: [relatedParty({ startDate: '2023-02-30T00:00:00Z' })],
      });
      expect(invalid.status).toBe(400);
    });

    it('one live alias per account id in the organization, even in another ledger (409 CRM-0013)', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      const otherLedger = randomUUID();
      stack.midaz.addAccount(stack.api.organizationId, otherLedger, accountId);
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      const second = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId: otherLedger, accountId });
      expect([second.status, second.body.code]).toEqual([409, 'CRM-0013']);
    });

    it('related parties sent back with their id are appended with new ids (the id is ignored)', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api, { relatedParties: [relatedParty()] });
      const readBack = alias.relatedParties[0];
      const patched = await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
        relatedParties: [readBack],
      });
      expect(patched.status).toBe(200);
      expect(patched.body.relatedParties).toHaveLength(2);
      expect(patched.body.relatedParties[1].id).not.toBe(readBack.id);
    });

    it.each([
      ['name', { name: '' }],
      ['document', { document: '' }],
    ])('an empty required string (%s) is CRM-0003 naming the field', async (field, body) => {
      const response = await stack.api.post('/v1/holders', naturalPerson(body));
      expect([response.status, response.body.code, Object.keys(response.body.fields)]).toEqual([
        400,
        'CRM-0003',
        [field],
      ]);
    });

    it.each([
      ['metadata', 5],
      ['metadata', 'text'],
      ['relatedParties', 5],
      ['relatedParties', { document: '1' }],
    ])('a wrong type for %s (%j) is CRM-0004', async (field, value) => {
      const { holder, ledgerId, accountId } = await linkable();
      const response =
        field === 'metadata'
          ? await stack.api.post('/v1/holders', naturalPerson({ metadata: value }))
          : await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId, [field]: value });
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0004']);
    });
  });

  describe('kept on purpose (each a row of the differences table)', () => {
    it('PATCH {"name": null} is 400 CRM-0003 (original: 200, the name removed); a new name is taken', async () => {
      const holder = (await stack.api.post('/v1/holders', naturalPerson())).body;
      const refused = await stack.api.patch(`/v1/holders/${holder.id}`, { name: null });
      expect([refused.status, refused.body.code]).toEqual([400, 'CRM-0003']);
      expect((await stack.api.get(`/v1/holders/${holder.id}`)).body.name).toBe(holder.name);
      expect((await stack.api.patch(`/v1/holders/${holder.id}`, { name: 'Ana Nova' })).body.name).toBe('Ana Nova');
    });

    it('an empty contact or addresses object is omitted (original: "contact": {} answered back)', async () => {
      const empty = await stack.api.post('/v1/holders', naturalPerson({ contact: {}, addresses: {} }));
      expect(empty.status).toBe(201);
      expect(empty.body).not.toHaveProperty('contact');
      expect(empty.body).not.toHaveProperty('addresses');
      expect((await stack.api.get(`/v1/holders/${empty.body.id}`)).body).not.toHaveProperty('contact');
      // The control: a contact with a value is answered.
      const given = await stack.api.post(
        '/v1/holders',
        naturalPerson({ contact: { primaryEmail: 'ana@example.com' } }),
      );
      expect(given.body.contact).toEqual({ primaryEmail: 'ana@example.com' });
    });

    it('relatedParties: [] on create is accepted (original: 400 CRM-0007)', async () => {
      const { holder, ledgerId, accountId } = await linkable();
      expect(
        (await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId, relatedParties: [] })).status,
      ).toBe(201);
    });

    it('path ids without hyphens are 400 CRM-0005 (original: 200)', async () => {
      const holder = (await stack.api.post('/v1/holders', naturalPerson())).body;
      const response = await stack.api.get(`/v1/holders/${holder.id.replace(/-/g, '')}`);
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0005']);
    });

    it('a filter with a malformed UUID is 400 CRM-0016 (original: 200 with an empty list)', async () => {
      const response = await stack.api.get('/v1/aliases?ledger_id=not-a-uuid');
      expect([response.status, response.body.code, Object.keys(response.body.fields)]).toEqual([
        400,
        'CRM-0016',
        ['ledger_id'],
      ]);
    });

    it('a query parameter given twice is 400 CRM-0016 (original: the last one wins)', async () => {
      const response = await stack.api.get('/v1/holders?limit=2&limit=3');
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0016']);
    });

    it.each([
      ['reversed', 'start_date=2025-02-01&end_date=2025-01-01', 'end_date'],
      ['one bound only', 'start_date=2025-01-01', 'end_date'],
      ['bad format', 'start_date=2025-13-01&end_date=2025-12-01', 'start_date'],
      ['date-time', 'start_date=2025-01-01T00:00:00Z&end_date=2025-12-01', 'start_date'],
      ['reversed by a second', 'start_date=2025-01-01%2010:00:01&end_date=2025-01-01%2010:00:00', 'end_date'],
      ['reversed, mixed forms', 'start_date=2025-01-02&end_date=2025-01-01%2023:59:59', 'end_date'],
      ['a time out of range', 'start_date=2025-01-01%2024:00:00&end_date=2025-01-02', 'start_date'],
      ['a time without seconds', 'start_date=2025-01-01&end_date=2025-01-02%2010:00', 'end_date'],
    ])(
      'a date-range error (%s) is CRM-0016 naming the parameter (original: generic ledger codes)',
      async (_name, query, parameter) => {
        const response = await stack.api.get(`/v1/holders?${query}`);
        expect([response.status, response.body.code, Object.keys(response.body.fields)]).toEqual([
          400,
          'CRM-0016',
          [parameter],
        ]);
      },
    );

    it.each([
      [
        'too many metadata keys',
        { metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
        'CRM-0015',
      ],
      [
        'JSON nested too deep',
        { addresses: { primary: JSON.parse('{"a":'.repeat(12) + '1' + '}'.repeat(12)) } },
        'CRM-0015',
      ],
      ['a NUL byte', { name: 'Lia\u0000Costa' }, 'CRM-0004'],
      ['an array in metadata', { metadata: { list: [1, 2] } }, 'CRM-0001'],
    ])('%s answers %s', async (_name, body, code) => {
      const response = await stack.api.post('/v1/holders', naturalPerson(body));
      expect([response.status, response.body.code]).toEqual([400, code]);
    });

    it('deleting a related party that does not exist is 404 CRM-0024 (original: CRM-0008)', async () => {
      const { holder, alias } = await holderWithAlias(stack.midaz, stack.api, { relatedParties: [relatedParty()] });
      const response = await stack.api.delete(
        `/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${randomUUID()}`,
      );
      expect([response.status, response.body.code]).toEqual([404, 'CRM-0024']);
      expect(
        (
          await stack.api.delete(
            `/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${alias.relatedParties[0].id}`,
          )
        ).status,
      ).toBe(204);
    });

    it('address fields not sent are omitted, and PATCH merges an address (original: "" or null, and blanks the rest)', async () => {
      const holder = (
        await stack.api.post(
          '/v1/holders',
          naturalPerson({ addresses: { primary: { line1: 'Rua A, 1', city: 'Recife', country: 'BR' } } }),
        )
      ).body;
      expect(holder.addresses.primary).toEqual({ line1: 'Rua A, 1', city: 'Recife', country: 'BR' });
      const patched = await stack.api.patch(`/v1/holders/${holder.id}`, {
        addresses: { primary: { zipCode: '50000-000' } },
      });
      expect(patched.body.addresses.primary).toEqual({
        line1: 'Rua A, 1',
        city: 'Recife',
        country: 'BR',
        zipCode: '50000-000',
      });
    });

    it.each([
      ['a country that is not ISO 3166-1 alpha-2', { addresses: { primary: { country: 'Brazil' } } }],
      ['a name longer than 256 characters', { name: 'x'.repeat(257) }],
      ['a document longer than 50 characters', { document: '1'.repeat(51) }],
    ])('%s is 400 CRM-0004 (original: accepted)', async (_name, body) => {
      const response = await stack.api.post('/v1/holders', naturalPerson(body));
      expect([response.status, response.body.code]).toEqual([400, 'CRM-0004']);
    });

    it.each(['yes', 'tRuE', 'on', '2', 'true '])(
      'a boolean flag value strconv.ParseBool refuses (%s) is 400 CRM-0016 naming the flag (original: silently false)',
      async (value) => {
        const holder = (await stack.api.post('/v1/holders', naturalPerson())).body;
        const flag = encodeURIComponent(value);
        for (const [parameter, response] of [
          ['include_deleted', await stack.api.get(`/v1/holders/${holder.id}?include_deleted=${flag}`)],
          ['count', await stack.api.get(`/v1/holders?count=${flag}`)],
          ['hard_delete', await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=${flag}`)],
        ] as const) {
          expect([parameter, response.status, response.body.code, Object.keys(response.body.fields ?? {})]).toEqual([
            parameter,
            400,
            'CRM-0016',
            [parameter],
          ]);
        }
        expect((await stack.api.get(`/v1/holders/${holder.id}`)).status).toBe(200);
      },
    );
  });
});
