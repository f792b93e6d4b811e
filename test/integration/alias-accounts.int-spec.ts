import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { getModelToken } from '@nestjs/mongoose';
import { ALIAS_ACCOUNT_MODEL } from '../../apps/crm/src/alias-account/alias-account.schema';
import { aliasDetails, holderWithAlias, linkableHolder, relatedParty } from '../factories/aliases';
import { naturalPerson } from '../factories/holders';
import { orgClient, OrgClient } from '../utils/api';
import { crmWithMidazForAll, withCrmAndMidaz } from '../utils/crm-with-midaz';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { REFERENCE_AVAILABLE, REFERENCE_SKIP_REASON, referenceValidator } from '../utils/reference-contract';
import { startTestApp, testEnv } from '../utils/test-app';
import { organizationHeaders } from '../factories/organization';

describe('alias accounts API', () => {
  const stack = crmWithMidazForAll({ MIDAZ_TIMEOUT_MS: '400', MIDAZ_RETRIES: '2', MIDAZ_CACHE_TTL_MS: '60000' });

  const fixture = (client: OrgClient = stack.api) => linkableHolder(stack.midaz, client);

  const createAlias = (client: OrgClient = stack.api, body: Record<string, unknown> = {}) =>
    holderWithAlias(stack.midaz, client, aliasDetails(body));

  const aliasCount = () => stack.connection.db!.collection('alias_accounts').countDocuments({});

  describe('the integration flow', () => {
    it('holder, then alias linked to a real ledger account, then both read back', async () => {
      const { holder, ledgerId, accountId, response, alias } = await createAlias();
      expect(response.status).toBe(201);
      expect(alias).toMatchObject({
        holderId: holder.id,
        ledgerId,
        accountId,
        type: 'NATURAL_PERSON',
        document: holder.document,
        metadata: { channel: 'app' },
        deletedAt: null,
      });
      expect(alias.bankingDetails).toMatchObject({ account: '12345-6', iban: 'GB82 WEST 1234 5698 7654 32' });
      expect(alias.relatedParties).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...relatedParty() }]);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).body).toEqual(alias);
      expect((await stack.api.get(`/v1/holders/${holder.id}`)).body.id).toBe(holder.id);
      expect(stack.midaz.callsTo(ledgerId).map((call) => call.path)).toEqual([
        `/v1/organizations/${stack.api.organizationId}/ledgers/${ledgerId}`,
        `/v1/organizations/${stack.api.organizationId}/ledgers/${ledgerId}/accounts/${accountId}`,
      ]);
    });

    it("forwards the caller's Authorization and X-Request-Id to Midaz", async () => {
      const { holder, ledgerId, accountId } = await fixture();
      const response = await stack.crm.request(`/v1/holders/${holder.id}/aliases`, {
        method: 'POST',
        headers: {
          'x-organization-id': stack.api.organizationId,
          authorization: 'Bearer caller-token',
          'x-request-id': 'alias-req-1',
        },
        json: { ledgerId, accountId },
      });
      expect(response.status).toBe(201);
      expect(stack.midaz.callsTo(accountId)[0]).toMatchObject({
        authorization: 'Bearer caller-token',
        requestId: 'alias-req-1',
      });
    });

    it('stores no protected value in plain text', async () => {
      const { response, alias } = await createAlias();
      expect(response.status).toBe(201);
      expectNoPlaintext(
        await rawCollectionText(stack.connection, 'alias_accounts'),
        ['12345-6', 'GB82 WEST 1234 5698 7654 32', '12.345.678/0001-95', '987.654.321-00', 'Roberto Lima'],
        [alias.id, 'LEGAL_REPRESENTATIVE'],
      );
    });
  });

  describe('creation rules', () => {
    it('needs a live holder: 404 CRM-0006 for a missing or soft-deleted one', async () => {
      const { holder, ledgerId, accountId } = await fixture();
      expect((await stack.api.post(`/v1/holders/${randomUUID()}/aliases`, { ledgerId, accountId })).body.code).toBe(
        'CRM-0006',
      );
      await stack.api.delete(`/v1/holders/${holder.id}`);
      const response = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('CRM-0006');
    });

    it('unknown ledger: 422 CRM-0030; unknown account: 422 CRM-0031; nothing stored', async () => {
      const before = await aliasCount();
      const { holder, ledgerId, accountId } = await fixture();
      const noLedger = await stack.api.post(`/v1/holders/${holder.id}/aliases`, {
        ledgerId: randomUUID(),
        accountId: randomUUID(),
      });
      expect(noLedger.status).toBe(422);
      expect(noLedger.body.code).toBe('CRM-0030');
      const noAccount = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId: randomUUID() });
      expect(noAccount.status).toBe(422);
      expect(noAccount.body.code).toBe('CRM-0031');
      expect(await aliasCount()).toBe(before);
      // Control: the count does see a stored alias.
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect(await aliasCount()).toBe(before + 1);
    });

    it('retries a Midaz 500 and succeeds', async () => {
      const { holder, ledgerId, accountId } = await fixture();
      stack.midaz.failNext(1);
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect(stack.midaz.callsTo(`ledgers/${ledgerId}`).length).toBe(3); // ledger twice (500, then 200), account once
    });

    it('Midaz failing or too slow: 503 CRM-0032 and nothing stored', async () => {
      const before = await aliasCount();
      const { holder, ledgerId, accountId } = await fixture();
      stack.midaz.failNext(3);
      const failing = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect(failing.status).toBe(503);
      expect(failing.body.code).toBe('CRM-0032');
      stack.midaz.delayMs = 1000;
      try {
        const slow = await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
        expect(slow.status).toBe(503);
        expect(slow.body.code).toBe('CRM-0032');
      } finally {
        stack.midaz.delayMs = 0;
      }
      expect(await aliasCount()).toBe(before);
      // Control: once Midaz answers, the same request stores the alias and the count sees it.
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect(await aliasCount()).toBe(before + 1);
    });

    it('caches positive answers: a burst of aliases on one ledger asks Midaz for the ledger once', async () => {
      const { holder, ledgerId } = await fixture();
      const accounts = [randomUUID(), randomUUID(), randomUUID()];
      for (const accountId of accounts) {
        stack.midaz.addAccount(stack.api.organizationId, ledgerId, accountId);
        expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      }
      expect(stack.midaz.calls.filter((call) => call.path.endsWith(`/ledgers/${ledgerId}`))).toHaveLength(1);
    });

    it('50 concurrent aliases for one ledger account: exactly one 201, 49 × 409 CRM-0013', async () => {
      const { holder, ledgerId, accountId } = await fixture();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
      expect(
        responses.filter((response) => response.status === 409).every((response) => response.body.code === 'CRM-0013'),
      ).toBe(true);
    });

    it('takes a ledger account id in any case as the same account: one live alias, found by either case', async () => {
      const { holder, ledgerId, accountId, alias } = await createAlias();
      const shouted = { ledgerId: ledgerId.toUpperCase(), accountId: accountId.toUpperCase() };
      const twin = await stack.api.post(`/v1/holders/${holder.id}/aliases`, shouted);
      expect(twin.status).toBe(409);
      expect(twin.body.code).toBe('CRM-0013');
      for (const query of [
        `account_id=${shouted.accountId}`,
        `ledger_id=${shouted.ledgerId}`,
        `holder_id=${holder.id.toUpperCase()}`,
      ])
        expect(
          (await stack.api.get(`/v1/aliases?${query}`)).body.items.map((item: { id: string }) => item.id),
        ).toContain(alias.id);
    });

    it('stores the ledger and account ids of an alias created with upper-case ids in lower case', async () => {
      const { holder, ledgerId } = await fixture();
      const accountId = randomUUID();
      stack.midaz.addAccount(stack.api.organizationId, ledgerId, accountId);
      const created = await stack.api.post(`/v1/holders/${holder.id}/aliases`, {
        ledgerId: ledgerId.toUpperCase(),
        accountId: accountId.toUpperCase(),
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ledgerId, accountId });
    });

    it('frees the ledger account once its alias is deleted', async () => {
      const { holder, ledgerId, accountId, alias } = await createAlias();
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(409);
      await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`);
      expect((await stack.api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
    });

    it.each([
      ['a closingDate before today', { bankingDetails: { closingDate: '2000-01-01' } }, 'CRM-0023'],
      ['a related party with an unknown role', { relatedParties: [relatedParty({ role: 'FRIEND' })] }, 'CRM-0025'],
      ['a related party without document', { relatedParties: [relatedParty({ document: undefined })] }, 'CRM-0026'],
      ['a related party without name', { relatedParties: [relatedParty({ name: '' })] }, 'CRM-0027'],
      ['a related party without startDate', { relatedParties: [relatedParty({ startDate: undefined })] }, 'CRM-0028'],
      [
        'a related party ending before it starts',
        { relatedParties: [relatedParty({ endDate: '2024-12-31' })] },
        'CRM-0029',
      ],
      ['a ledgerId that is not a UUID', { ledgerId: 'ledger-1' }, 'CRM-0004'],
      ['an impossible openingDate', { bankingDetails: { openingDate: '2025-02-30' } }, 'CRM-0004'],
      ['nested metadata', { metadata: { a: [1] } }, 'CRM-0001'],
      ['an unknown field', { holderId: randomUUID() }, 'CRM-0007'],
    ])('rejects %s with 400 %s before calling Midaz', async (_case, body, code) => {
      const callsBefore = stack.midaz.calls.length;
      const { response } = await createAlias(stack.api, body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
      expect(stack.midaz.calls.length).toBe(callsBefore);
    });

    it('requires ledgerId and accountId: 400 CRM-0003', async () => {
      const { holder } = await fixture();
      const response = await stack.api.post(`/v1/holders/${holder.id}/aliases`, {});
      expect(response.body).toMatchObject({
        code: 'CRM-0003',
        fields: { ledgerId: expect.any(String), accountId: expect.any(String) },
      });
    });
  });

  describe('reading, updating, deleting', () => {
    it('GET: 404 CRM-0008 for an unknown alias, or one of another holder or organization', async () => {
      const { holder, alias } = await createAlias();
      const other = await fixture();
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${randomUUID()}`)).body.code).toBe('CRM-0008');
      expect((await stack.api.get(`/v1/holders/${other.holder.id}/aliases/${alias.id}`)).status).toBe(404);
      expect((await orgClient(stack.crm).get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(404);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/nope`)).body.code).toBe('CRM-0005');
    });

    it('removing a related party keeps a party appended while the removal was under way', async () => {
      const { holder, alias } = await createAlias();
      const path = `/v1/holders/${holder.id}/aliases/${alias.id}`;
      const aliases = stack.crm.app.get<Model<unknown>>(getModelToken(ALIAS_ACCOUNT_MODEL)).collection as unknown as {
        findOne: (...args: unknown[]) => Promise<unknown>;
      };
      const findOne = aliases.findOne.bind(aliases);
      jest.spyOn(aliases, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
        const found = await findOne(...args);
        const appended = await stack.api.patch(path, {
          relatedParties: [relatedParty({ document: '390.533.447-05', name: 'Nova Parte', role: 'RESPONSIBLE_PARTY' })],
        });
        expect(appended.status).toBe(200);
        return found;
      });
      const removed = await stack.api.delete(`${path}/related-parties/${alias.relatedParties[0].id}`);
      jest.restoreAllMocks();
      expect(removed.status).toBe(204);
      const parties = (await stack.api.get(path)).body.relatedParties as Array<{ name: string }>;
      expect(parties.map((party) => party.name)).toEqual(['Nova Parte']);
    });

    it('of two removals of one related party, the one that finds it gone answers 404 CRM-0024', async () => {
      const { holder, alias } = await createAlias();
      const partyPath = `/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${alias.relatedParties[0].id}`;
      const aliases = stack.crm.app.get<Model<unknown>>(getModelToken(ALIAS_ACCOUNT_MODEL)).collection as unknown as {
        findOne: (...args: unknown[]) => Promise<unknown>;
      };
      const findOne = aliases.findOne.bind(aliases);
      jest.spyOn(aliases, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
        const found = await findOne(...args);
        expect((await stack.api.delete(partyPath)).status).toBe(204); // the other removal, in between
        return found;
      });
      const late = await stack.api.delete(partyPath);
      jest.restoreAllMocks();
      expect([late.status, late.body.code]).toEqual([404, 'CRM-0024']);
    });

    it('PATCH merges banking details, appends related parties with new ids, and keeps ledger links immutable', async () => {
      const { holder, alias } = await createAlias();
      const response = await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
        bankingDetails: { branch: '0002', iban: null },
        relatedParties: [relatedParty({ document: '111.444.777-35', name: 'Nova Parte', role: 'RESPONSIBLE_PARTY' })],
        metadata: { channel: null, tier: 'gold' },
      });
      expect(response.status).toBe(200);
      expect(response.body.bankingDetails).toMatchObject({ branch: '0002', account: '12345-6' });
      expect(response.body.bankingDetails).not.toHaveProperty('iban');
      expect(response.body.metadata).toEqual({ tier: 'gold' });
      expect(response.body.relatedParties.map((item: { name: string }) => item.name)).toEqual([
        'Roberto Lima',
        'Nova Parte',
      ]);
      expect(new Set(response.body.relatedParties.map((item: { id: string }) => item.id)).size).toBe(2);
      const [first, second] = response.body.relatedParties;
      expect(
        (await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${first.id}`)).status,
      ).toBe(204);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).body.relatedParties).toEqual([
        second,
      ]);
      expect(
        (await stack.api.get(`/v1/aliases?related_party_document=11144477735`)).body.items.map(
          (item: { id: string }) => item.id,
        ),
      ).toEqual([alias.id]);
      const immutable = await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
        accountId: randomUUID(),
      });
      expect(immutable.body.code).toBe('CRM-0007');
      expectNoPlaintext(
        await rawCollectionText(stack.connection, 'alias_accounts'),
        ['111.444.777-35', 'Nova Parte'],
        [alias.id],
      );
    });

    it('PATCH checks closingDate against the creation date: 400 CRM-0023', async () => {
      const { holder, alias } = await createAlias();
      expect(
        (
          await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
            bankingDetails: { closingDate: '2001-01-01' },
          })
        ).body.code,
      ).toBe('CRM-0023');
      const closing = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(
        (
          await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, {
            bankingDetails: { closingDate: closing },
          })
        ).body.bankingDetails.closingDate,
      ).toBe(closing);
    });

    it('DELETE related party: 204, then 404 CRM-0024; the related-party search follows', async () => {
      const { holder, alias } = await createAlias();
      const partyId = alias.relatedParties[0].id;
      const path = `/v1/holders/${holder.id}/aliases/${alias.id}/related-parties/${partyId}`;
      expect(
        (await stack.api.get(`/v1/aliases?related_party_document=98765432100&holder_id=${holder.id}`)).body.items,
      ).toHaveLength(1);
      expect((await stack.api.delete(path)).status).toBe(204);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).body).not.toHaveProperty(
        'relatedParties',
      ); // omitted when none are left, as the original
      expect(
        (await stack.api.get(`/v1/aliases?related_party_document=98765432100&holder_id=${holder.id}`)).body.items,
      ).toHaveLength(0);
      const again = await stack.api.delete(path);
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('CRM-0024');
      expect(
        (await stack.api.delete(`/v1/holders/${holder.id}/aliases/${randomUUID()}/related-parties/${partyId}`)).body
          .code,
      ).toBe('CRM-0008');
    });

    it('DELETE: soft by default, hard on request; a holder with live aliases cannot be deleted (CRM-0017)', async () => {
      const { holder, alias } = await createAlias();
      const refused = await stack.api.delete(`/v1/holders/${holder.id}`);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('CRM-0017');
      expect((await stack.api.delete(`/v1/holders/${holder.id}?hard_delete=true`)).body.code).toBe('CRM-0017');

      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(204);
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}`)).status).toBe(404);
      expect(
        (await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}?include_deleted=true`)).body.deletedAt,
      ).not.toBeNull();
      expect(
        (await stack.api.patch(`/v1/holders/${holder.id}/aliases/${alias.id}`, { metadata: { a: 1 } })).status,
      ).toBe(404);
      expect((await stack.api.delete(`/v1/holders/${holder.id}/aliases/${alias.id}?hard_delete=true`)).status).toBe(
        204,
      );
      expect((await stack.api.get(`/v1/holders/${holder.id}/aliases/${alias.id}?include_deleted=true`)).status).toBe(
        404,
      );

      expect((await stack.api.delete(`/v1/holders/${holder.id}`)).status).toBe(204);
    });
  });

  describe('GET /v1/aliases', () => {
    it('applies every filter, combined with AND', async () => {
      const client = orgClient(stack.crm);
      const target = await createAlias(client, {
        bankingDetails: { branch: '7777', account: '55.555-5', iban: 'de89 3704 0044 0532 0130 00' },
        regulatoryFields: { participantDocument: '60.701.190/0001-04' },
        relatedParties: [relatedParty({ document: '222.333.444-05', role: 'PRIMARY_HOLDER' })],
        metadata: { channel: 'branch', priority: 2 },
      });
      await createAlias(client);
      await createAlias(client, { metadata: { channel: 'branch', priority: 3 } });
      const ids = async (query: string) => {
        const response = await client.get(`/v1/aliases?${query}`);
        expect(response.status).toBe(200);
        return response.body.items.map((item: { id: string }) => item.id);
      };
      const only = [target.alias.id];
      expect(await ids(`holder_id=${target.holder.id}`)).toEqual(only);
      expect(await ids(`ledger_id=${target.ledgerId}`)).toEqual(only);
      expect(await ids(`account_id=${target.accountId}`)).toEqual(only);
      expect(await ids(`document=${target.holder.document}`)).toEqual(only);
      expect(await ids('banking_details_branch=7777')).toEqual(only);
      expect(await ids('banking_details_account=555555')).toEqual(only);
      expect(await ids('banking_details_iban=DE89370400440532013000')).toEqual(only);
      expect(await ids('regulatory_fields_participant_document=60701190000104')).toEqual(only);
      expect(await ids('related_party_document=22233344405')).toEqual(only);
      expect(await ids('related_party_role=PRIMARY_HOLDER')).toEqual(only);
      expect(await ids('metadata.channel=branch&metadata.priority=2')).toEqual(only);
      expect(await ids(`holder_id=${target.holder.id}&banking_details_branch=0001`)).toEqual([]);
      expect(await ids('count=true&limit=1')).toHaveLength(1);
      expect((await client.get('/v1/aliases?count=true')).body.total).toBe(3);
    });

    it('orders, pages, windows by date and includes deleted on request', async () => {
      const client = orgClient(stack.crm);
      const first = (await createAlias(client)).alias;
      const second = (await createAlias(client)).alias;
      expect((await client.get('/v1/aliases')).body.items.map((item: { id: string }) => item.id)).toEqual([
        first.id,
        second.id,
      ]);
      expect((await client.get('/v1/aliases?sort_order=desc&limit=1')).body).toMatchObject({
        items: [{ id: second.id }],
        next_cursor: expect.any(String),
      });
      const [firstDay, secondDay] = [first.createdAt.slice(0, 10), second.createdAt.slice(0, 10)]; // not the clock's today
      expect((await client.get(`/v1/aliases?start_date=${firstDay}&end_date=${secondDay}`)).body.items).toHaveLength(2);
      expect((await client.get('/v1/aliases?start_date=2001-01-01&end_date=2001-01-02')).body.items).toHaveLength(0);
      await client.delete(`/v1/holders/${first.holderId}/aliases/${first.id}`);
      expect((await client.get('/v1/aliases')).body.items).toHaveLength(1);
      expect((await client.get('/v1/aliases?include_deleted=true')).body.items).toHaveLength(2);
    });

    it.each([
      ['holder_id=not-a-uuid', 'CRM-0016'],
      ['related_party_role=BOSS', 'CRM-0016'],
      ['limit=1000', 'CRM-0009'],
      ['sort_order=up', 'CRM-0011'],
    ])('rejects %s with %s (never a 500)', async (query, code) => {
      const response = await stack.api.get(`/v1/aliases?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
    });
  });

  describe('reference contract', () => {
    if (!REFERENCE_AVAILABLE) {
      it.skip(`AliasResponse: ${REFERENCE_SKIP_REASON}`, () => undefined);
      return;
    }
    it('responses validate against the reference AliasResponse schema', async () => {
      const validate = referenceValidator('AliasResponse');
      const { alias } = await createAlias();
      const bare = (
        await createAlias(stack.api, {
          bankingDetails: undefined,
          regulatoryFields: undefined,
          relatedParties: undefined,
          metadata: undefined,
        })
      ).alias;
      for (const body of [alias, bare, ...(await stack.api.get('/v1/aliases?limit=5')).body.items]) {
        if (!validate(body)) throw new Error(`AliasResponse mismatch: ${JSON.stringify(validate.errors)}`);
      }
    });
  });
});

describe('Midaz resilience and switches', () => {
  it('opens the circuit while Midaz is down (fails fast, Midaz untouched), and recovers by itself', () =>
    withCrmAndMidaz(
      { MIDAZ_RETRIES: '0', MIDAZ_TIMEOUT_MS: '300', MIDAZ_BREAKER_RESET_MS: '800' },
      async ({ midaz, crm, api }) => {
        const { holder, ledgerId, accountId } = await linkableHolder(midaz, api);
        const create = () => api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });

        midaz.failNext(1000);
        for (let i = 0; i < 3; i++) expect((await create()).body.code).toBe('CRM-0032');
        const callsWhenOpen = midaz.calls.length;
        const fast = await create();
        expect(fast.body).toMatchObject({ code: 'CRM-0032', message: expect.stringContaining('circuit open') });
        expect(midaz.calls.length).toBe(callsWhenOpen);
        expect((await crm.request('/readyz')).status).toBe(200);

        midaz.failNext(0);
        await new Promise((resolve) => setTimeout(resolve, 900));
        expect((await create()).status).toBe(201);
      },
    ));

  it('Midaz stopped: alias creation answers 503 CRM-0032 and stores nothing; /readyz says degraded (still 200) until it is back', () =>
    withCrmAndMidaz({ MIDAZ_TIMEOUT_MS: '300', MIDAZ_RETRIES: '1' }, async ({ midaz, crm, api }) => {
      expect((await crm.request('/readyz')).body.details.midaz).toMatchObject({ status: 'up', circuit: 'closed' });
      const { holder, ledgerId, accountId } = await linkableHolder(midaz, api);
      await midaz.stop();
      const refused = await api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId });
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('CRM-0032');
      const stored = () => api.get(`/v1/aliases?holder_id=${holder.id}&include_deleted=true`);
      expect((await stored()).body.items).toEqual([]);
      const degraded = await crm.request('/readyz');
      expect(degraded.status).toBe(200);
      expect(degraded.body.details.midaz.status).toBe('degraded');
      await midaz.start();
      expect((await crm.request('/readyz')).body.details.midaz.status).toBe('up');
      // Control: with Midaz back the same request stores an alias, and the same query lists it.
      expect((await api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId, accountId })).status).toBe(201);
      expect((await stored()).body.items).toHaveLength(1);
    }));

  it("uses MIDAZ_AUTH_TOKEN instead of the caller's header when configured", () =>
    withCrmAndMidaz({ MIDAZ_AUTH_TOKEN: 'service-token' }, async ({ midaz, crm, api }) => {
      const { holder, ledgerId, accountId } = await linkableHolder(midaz, api);
      const response = await crm.request(`/v1/holders/${holder.id}/aliases`, {
        method: 'POST',
        headers: organizationHeaders(api.organizationId, { authorization: 'Bearer caller' }),
        json: { ledgerId, accountId },
      });
      expect(response.status).toBe(201);
      expect(midaz.calls.length).toBeGreaterThan(0);
      expect(midaz.calls.every((call) => call.authorization === 'Bearer service-token')).toBe(true);
    }));

  it('MIDAZ_VALIDATION off (no URL): aliases are created without asking Midaz, and /readyz says so', async () => {
    const crm = await startTestApp(testEnv());
    const api = orgClient(crm);
    try {
      const holder = (await api.post('/v1/holders', naturalPerson())).body;
      expect(
        (await api.post(`/v1/holders/${holder.id}/aliases`, { ledgerId: randomUUID(), accountId: randomUUID() }))
          .status,
      ).toBe(201);
      expect((await crm.request('/readyz')).body.details.midaz).toMatchObject({ status: 'up', validation: 'off' });
    } finally {
      await crm.close();
    }
  });
});
