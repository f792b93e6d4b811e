import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { aliasBody, relatedParty } from '../../../../test/factories/aliases';
import { InMemoryAliasAccountRepository } from '../../../../test/fakes/alias-account-repository.fake';
import { FakeHolderLinks } from '../../../../test/fakes/holder-links.fake';
import { FakeMidazLedger } from '../../../../test/fakes/midaz-ledger.fake';
import { errorCodeOf } from '../../../../test/utils/error-code';
import type { CreateAliasAccountDto, UpdateAliasAccountDto } from './dto/create-alias-account.dto';
import { AliasAccountService } from './alias-account.service';

/** What AliasAccountService depends on, read from its constructor: the fakes below stand in for it. */
type Dependencies = ConstructorParameters<typeof AliasAccountService>;

/**
 * The alias rules on in-memory holders, aliases and Midaz: fast feedback beside
 * test/integration/alias-accounts.int-spec.ts and holder-alias-integrity.int-spec.ts (real database, real HTTP).
 */
const tenant = { organizationId: randomUUID() };
const caller = { requestId: 'unit-request' };
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

function setUp(config: Partial<AppConfig> = {}) {
  const settings = { metadataPiiGuard: 'warn', maxPaginationLimit: 100, ...config } as AppConfig;
  const journal: string[] = [];
  const holders = new FakeHolderLinks(journal);
  const aliases = new InMemoryAliasAccountRepository(journal);
  const midaz = new FakeMidazLedger(journal);
  const service = new AliasAccountService(
    aliases as unknown as Dependencies[0],
    holders as unknown as Dependencies[1], // typed against HolderLinks by its implements clause
    midaz as unknown as Dependencies[2],
    new MetadataPersonalDataPolicy(settings),
    settings,
  );
  const holder = holders.add(tenant.organizationId);
  const link = { ledgerId: randomUUID(), accountId: randomUUID() };
  const body = (overrides: Record<string, unknown> = {}) => aliasBody(link, overrides) as CreateAliasAccountDto;
  return { journal, holders, aliases, midaz, service, holder, link, body };
}

describe('AliasAccountService (in-memory holders, aliases and Midaz)', () => {
  describe('create', () => {
    it('checks in order: live holder, rules, Midaz; then writes pending, claims the holder and confirms', async () => {
      const { journal, aliases, service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      expect(journal).toEqual([
        'holders.requireLive',
        'midaz.assertAccountExists',
        'aliases.createPending',
        'holders.claimLink',
        'aliases.confirm',
      ]);
      // The alias copies the holder's type and document, and is confirmed (visible).
      expect(created).toMatchObject({ holderId: holder.id, type: holder.type, document: holder.document });
      expect(created).not.toHaveProperty('pending');
      expect([...aliases.records.values()].map((alias) => alias.pending)).toEqual([undefined]);
      expect((await service.get(tenant, holder.id, created.id, false)).id).toBe(created.id);
    });

    it('asks Midaz about the ledger account of the organization, with the caller context', async () => {
      const { midaz, service, holder, link, body } = setUp();
      await service.create(tenant, holder.id, body(), caller);
      expect(midaz.checked).toEqual([{ organizationId: tenant.organizationId, ...link }]);
    });

    it('an unknown or deleted holder is 404 CRM-0006 before Midaz is asked; nothing stored', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      expect(await errorCodeOf(service.create(tenant, randomUUID(), body(), caller))).toBe('CRM-0006');
      holders.holders.get(holder.id)!.live = false;
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0006');
      expect(journal).toEqual(['holders.requireLive', 'holders.requireLive']);
      expect(aliases.records.size).toBe(0);
    });

    it("another organization's holder is 404 CRM-0006", async () => {
      const { service, holder, body } = setUp();
      expect(await errorCodeOf(service.create({ organizationId: randomUUID() }, holder.id, body(), caller))).toBe(
        'CRM-0006',
      );
    });

    it('a closingDate before today is 400 CRM-0023 before Midaz is asked', async () => {
      const { midaz, aliases, service, holder, body } = setUp();
      const early = body({ bankingDetails: { closingDate: yesterday() } });
      expect(await errorCodeOf(service.create(tenant, holder.id, early, caller))).toBe('CRM-0023');
      expect(midaz.checked).toEqual([]);
      expect(aliases.records.size).toBe(0);
      await service.create(tenant, holder.id, body(), caller);
      expect(midaz.checked).toHaveLength(1); // control: a valid body does reach Midaz
    });

    it('METADATA_PII_GUARD=reject refuses personal data in metadata (CRM-0034) before Midaz is asked', async () => {
      const { midaz, service, holder, body } = setUp({ metadataPiiGuard: 'reject' });
      const leaky = body({ metadata: { contactEmail: 'someone@example.com' } });
      expect(await errorCodeOf(service.create(tenant, holder.id, leaky, caller))).toBe('CRM-0034');
      expect(midaz.checked).toEqual([]);
      await service.create(tenant, holder.id, body(), caller);
      expect(midaz.checked).toHaveLength(1);
    });

    it('an account that already has a live alias is 409 CRM-0013 from the write; deleting it frees it', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      const first = await service.create(tenant, holder.id, body(), caller);
      const other = holders.add(tenant.organizationId);
      journal.length = 0;
      expect(await errorCodeOf(service.create(tenant, other.id, body(), caller))).toBe('CRM-0013');
      // Refused by the unique index, then once more after abandoned creations of the account are removed.
      expect(journal.slice(-3)).toEqual([
        'midaz.assertAccountExists',
        'aliases.createPending',
        'aliases.createPending',
      ]);
      expect(aliases.records.size).toBe(1);
      await service.delete(tenant, holder.id, first.id, false);
      expect((await service.create(tenant, other.id, body(), caller)).holderId).toBe(other.id);
    });

    it.each([
      ['an unknown ledger', 'CRM-0030'],
      ['an unknown account', 'CRM-0031'],
      ['that it is unavailable', 'CRM-0032'],
    ])('Midaz answers %s (%s): the error stands, nothing is written', async (_case, code) => {
      const { journal, aliases, midaz, service, holder, body } = setUp();
      midaz.failWith = new CrmException(code as 'CRM-0030', { entityType: 'Ledger' });
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe(code);
      expect(journal).not.toContain('aliases.createPending');
      expect(aliases.records.size).toBe(0);
    });

    it('a write that fails rethrows and leaves nothing (the holder stays deletable)', async () => {
      const { journal, aliases, service, holder, body } = setUp();
      aliases.failNextCreate(new Error('MongoNetworkError')); // the database went away
      await expect(service.create(tenant, holder.id, body(), caller)).rejects.toThrow('MongoNetworkError');
      expect(journal.slice(-1)).toEqual(['aliases.createPending']);
      expect(aliases.records.size).toBe(0);
    });

    it('a claim that fails (database gone) withdraws the pending alias and rethrows', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      holders.claimLink = () => Promise.reject(new Error('MongoNetworkError'));
      await expect(service.create(tenant, holder.id, body(), caller)).rejects.toThrow('MongoNetworkError');
      expect(journal.slice(-2)).toEqual(['aliases.createPending', 'aliases.withdraw']);
      expect(aliases.records.size).toBe(0);
    });

    it('a pending alias removed before its confirmation (abandoned): 409 CRM-0049, nothing visible', async () => {
      const { aliases, service, holder, body } = setUp();
      const confirm = aliases.confirm.bind(aliases);
      aliases.confirm = async (...args) => {
        await aliases.removePendingBefore(tenant.organizationId, { holderId: holder.id }, new Date(Date.now() + 1));
        return confirm(...args);
      };
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0049');
      expect(aliases.records.size).toBe(0);
    });

    it('a holder deleted while Midaz was asked: 404 CRM-0006 from the claim, nothing left', async () => {
      const { holders, aliases, midaz, service, holder, body } = setUp();
      const deleteMeanwhile = midaz.assertAccountExists.bind(midaz);
      midaz.assertAccountExists = (account) => {
        holders.holders.get(holder.id)!.live = false;
        return deleteMeanwhile(account);
      };
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0006');
      expect(aliases.records.size).toBe(0);
    });

    it('a holder deleted after the pending write: the alias is withdrawn, 404 CRM-0006', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      const write = aliases.createPending.bind(aliases);
      aliases.createPending = async (...args) => {
        const written = await write(...args);
        holders.holders.get(holder.id)!.live = false;
        return written;
      };
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0006');
      expect(journal.slice(-3)).toEqual(['aliases.createPending', 'holders.claimLink', 'aliases.withdraw']);
      expect(aliases.records.size).toBe(0);
    });
  });

  describe('update', () => {
    it('merges banking details, appends related parties with new ids, keeps what the patch does not name', async () => {
      const { service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      const patch = {
        bankingDetails: { branch: '0002', iban: null },
        relatedParties: [relatedParty({ name: 'Nova Parte', role: 'RESPONSIBLE_PARTY' })],
      } as unknown as UpdateAliasAccountDto; // null removes (JSON merge patch), which the DTO type does not spell
      const updated = await service.update(tenant, holder.id, created.id, patch);
      expect(updated.bankingDetails).toMatchObject({ branch: '0002', account: created.bankingDetails!.account });
      expect(updated.bankingDetails).not.toHaveProperty('iban');
      expect(updated.relatedParties!.map((party) => party.name)).toEqual([
        created.relatedParties![0].name,
        'Nova Parte',
      ]);
      expect(new Set(updated.relatedParties!.map((party) => party.id)).size).toBe(2);
      expect(updated.metadata).toEqual(created.metadata);
    });

    it('a closingDate before the creation day is 400 CRM-0023, and the alias is unchanged', async () => {
      const { service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      const early = { bankingDetails: { closingDate: '2001-01-01', branch: '9999' } } as UpdateAliasAccountDto;
      expect(await errorCodeOf(service.update(tenant, holder.id, created.id, early))).toBe('CRM-0023');
      expect((await service.get(tenant, holder.id, created.id, false)).bankingDetails).toEqual(created.bankingDetails);
      const onTheDay = { bankingDetails: { closingDate: created.createdAt.slice(0, 10) } } as UpdateAliasAccountDto;
      expect((await service.update(tenant, holder.id, created.id, onTheDay)).bankingDetails!.closingDate).toBe(
        created.createdAt.slice(0, 10),
      );
    });

    it('is 404 CRM-0008 for an unknown alias, another holder, or a soft-deleted alias', async () => {
      const { holders, service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      const other = holders.add(tenant.organizationId);
      const patch = { metadata: { tier: 'gold' } } as UpdateAliasAccountDto;
      expect(await errorCodeOf(service.update(tenant, holder.id, randomUUID(), patch))).toBe('CRM-0008');
      expect(await errorCodeOf(service.update(tenant, other.id, created.id, patch))).toBe('CRM-0008');
      await service.delete(tenant, holder.id, created.id, false);
      expect(await errorCodeOf(service.update(tenant, holder.id, created.id, patch))).toBe('CRM-0008');
    });
  });

  describe('delete', () => {
    it('soft delete once: a second delete is 404 CRM-0008; the alias stays readable with include_deleted', async () => {
      const { service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, created.id, false);
      expect((await service.get(tenant, holder.id, created.id, true)).deletedAt).toEqual(expect.any(String));
      expect(await errorCodeOf(service.delete(tenant, holder.id, created.id, false))).toBe('CRM-0008');
    });

    it('hard delete removes a live or a soft-deleted alias; an unknown one is 404 CRM-0008', async () => {
      const { aliases, service, holder, body } = setUp();
      const live = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, live.id, true);
      const again = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, again.id, false);
      await service.delete(tenant, holder.id, again.id, true);
      expect(aliases.records.size).toBe(0);
      expect(await errorCodeOf(service.delete(tenant, holder.id, again.id, true))).toBe('CRM-0008');
    });

    it('a pending alias (a creation under way) is invisible: 404 CRM-0008 to reads, patches and deletes', async () => {
      const { aliases, service, holder, link } = setUp();
      const pending = await aliases.createPending(
        tenant.organizationId,
        { holderId: holder.id, ...link, type: holder.type, document: holder.document },
        'token',
      );
      expect(await errorCodeOf(service.get(tenant, holder.id, pending._id, true))).toBe('CRM-0008');
      expect(await errorCodeOf(service.update(tenant, holder.id, pending._id, { metadata: { a: 1 } }))).toBe(
        'CRM-0008',
      );
      expect(await errorCodeOf(service.delete(tenant, holder.id, pending._id, true))).toBe('CRM-0008');
      expect(aliases.records.has(pending._id)).toBe(true);
      // The control: once confirmed, the same alias is there.
      await aliases.confirm(pending, 'token');
      expect((await service.get(tenant, holder.id, pending._id, false)).id).toBe(pending._id);
    });
  });

  describe('related parties', () => {
    it('removes one by id; an unknown party is 404 CRM-0024, an unknown alias 404 CRM-0008', async () => {
      const { service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      const partyId = created.relatedParties![0].id;
      expect(await errorCodeOf(service.deleteRelatedParty(tenant, holder.id, created.id, randomUUID()))).toBe(
        'CRM-0024',
      );
      expect(await errorCodeOf(service.deleteRelatedParty(tenant, holder.id, randomUUID(), partyId))).toBe('CRM-0008');
      await service.deleteRelatedParty(tenant, holder.id, created.id, partyId);
      expect(await service.get(tenant, holder.id, created.id, false)).not.toHaveProperty('relatedParties');
      expect(await errorCodeOf(service.deleteRelatedParty(tenant, holder.id, created.id, partyId))).toBe('CRM-0024');
    });
  });
});
