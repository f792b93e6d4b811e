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

/**
 * What AliasAccountService depends on, read from its constructor: the fakes below stand in for whatever
 * it asks for (HolderService today, the HolderLinks API of issue 14 "Layers" once merged; FakeHolderLinks
 * answers both), so the switch needs no change here.
 */
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
    it('checks in order: live holder, rules, Midaz, then reserves the slot and writes', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      expect(journal).toEqual([
        'holders.requireLive',
        'midaz.assertAccountExists',
        'holders.reserveAlias',
        'aliases.create',
        'holders.keepAlias',
      ]);
      // The alias copies the holder's type and document.
      expect(created).toMatchObject({ holderId: holder.id, type: holder.type, document: holder.document });
      expect(aliases.records.size).toBe(1);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(1);
    });

    it('asks Midaz about the ledger account of the organization, with the caller context', async () => {
      const { midaz, service, holder, link, body } = setUp();
      await service.create(tenant, holder.id, body(), caller);
      expect(midaz.checked).toEqual([{ organizationId: tenant.organizationId, ...link }]);
    });

    it('an unknown or deleted holder is 404 CRM-0006 before Midaz is asked; nothing reserved or stored', async () => {
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

    it('an account that already has a live alias is 409 CRM-0013 from the write, its slot given back; deleting it frees it', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      const first = await service.create(tenant, holder.id, body(), caller);
      const other = holders.add(tenant.organizationId);
      journal.length = 0;
      expect(await errorCodeOf(service.create(tenant, other.id, body(), caller))).toBe('CRM-0013');
      expect(journal.slice(-3)).toEqual(['holders.reserveAlias', 'aliases.create', 'holders.abandonAlias']);
      expect(holders.holders.get(other.id)!.liveAliasCount).toBe(0);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(1);
      expect(aliases.records.size).toBe(1);
      await service.delete(tenant, holder.id, first.id, false);
      expect((await service.create(tenant, other.id, body(), caller)).holderId).toBe(other.id);
    });

    it.each([
      ['an unknown ledger', 'CRM-0030'],
      ['an unknown account', 'CRM-0031'],
      ['that it is unavailable', 'CRM-0032'],
    ])('Midaz answers %s (%s): the error stands, no slot is reserved, nothing is stored', async (_case, code) => {
      const { journal, holders, aliases, midaz, service, holder, body } = setUp();
      midaz.failWith = new CrmException(code as 'CRM-0030', { entityType: 'Ledger' });
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe(code);
      expect(journal).not.toContain('holders.reserveAlias');
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
      expect(aliases.records.size).toBe(0);
    });

    it('a write failing after the reservation releases the slot and rethrows (the holder stays deletable)', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      aliases.failNextCreate(new CrmException('CRM-0013', { entityType: 'AliasAccount' })); // a racing twin won
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0013');
      expect(journal.slice(-3)).toEqual(['holders.reserveAlias', 'aliases.create', 'holders.abandonAlias']);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
      expect(aliases.records.size).toBe(0);
    });

    it('a holder deleted while Midaz was asked: 404 CRM-0006 from the reservation, nothing written', async () => {
      const { holders, aliases, midaz, service, holder, body } = setUp();
      const deleteMeanwhile = midaz.assertAccountExists.bind(midaz);
      midaz.assertAccountExists = (account) => {
        holders.holders.get(holder.id)!.live = false;
        return deleteMeanwhile(account);
      };
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0006');
      expect(aliases.records.size).toBe(0);
    });

    it('a slot not kept after the write (taken back, holder deleted): the alias is removed, 404 CRM-0006', async () => {
      const { journal, holders, aliases, service, holder, body } = setUp();
      const write = aliases.create.bind(aliases);
      aliases.create = async (...args) => {
        const written = await write(...args);
        holders.holders.get(holder.id)!.live = false;
        return written;
      };
      expect(await errorCodeOf(service.create(tenant, holder.id, body(), caller))).toBe('CRM-0006');
      expect(journal.slice(-3)).toEqual(['aliases.create', 'holders.keepAlias', 'aliases.hardDelete']);
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
    it('soft delete releases the slot once: a second delete is 404 CRM-0008 and releases nothing', async () => {
      const { holders, service, holder, body } = setUp();
      const created = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, created.id, false);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
      expect((await service.get(tenant, holder.id, created.id, true)).deletedAt).toEqual(expect.any(String));
      expect(await errorCodeOf(service.delete(tenant, holder.id, created.id, false))).toBe('CRM-0008');
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
    });

    it('hard delete of a live alias releases the slot; of a soft-deleted one it does not release again', async () => {
      const { holders, aliases, service, holder, body } = setUp();
      const live = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, live.id, true);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
      const again = await service.create(tenant, holder.id, body(), caller);
      await service.delete(tenant, holder.id, again.id, false);
      await service.delete(tenant, holder.id, again.id, true);
      expect(holders.holders.get(holder.id)!.liveAliasCount).toBe(0);
      expect(aliases.records.size).toBe(0);
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
