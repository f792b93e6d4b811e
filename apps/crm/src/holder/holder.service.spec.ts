import type { AppConfig } from '@crm/config';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { cpf } from '../../../../test/factories/documents';
import { legalPerson, naturalPerson } from '../../../../test/factories/holders';
import { InMemoryHolderRepository } from '../../../../test/fakes/holder-repository.fake';
import { errorCodeOf } from '../../../../test/utils/error-code';
import type { CreateHolderDto } from './dto/create-holder.dto';
import type { UpdateHolderDto } from './dto/update-holder.dto';
import { InMemoryAliasAccountRepository } from '../../../../test/fakes/alias-account-repository.fake';
import { InMemoryHolderDeletions } from '../../../../test/fakes/holder-deletions.fake';
import { AliasAccountLinks } from '../alias-account/alias-account-links';
import type { AliasAccountRepository } from '../alias-account/alias-account.repository';
import type { HolderDeletions } from './holder-deletions.repository';
import type { HolderRepository } from './holder.repository';
import { HolderService } from './holder.service';

/**
 * The holder rules on an in-memory repository: fast feedback beside test/integration/holders.int-spec.ts,
 * which runs the same rules against the real database over HTTP.
 */
const tenant = { organizationId: '0190d9a4-7c1e-7000-8000-0000000000aa' };
const otherTenant = { organizationId: '0190d9a4-7c1e-7000-8000-0000000000bb' };
const person = (overrides: Record<string, unknown> = {}) => naturalPerson(overrides) as CreateHolderDto;
const company = (overrides: Record<string, unknown> = {}) => legalPerson(overrides) as CreateHolderDto;

function setUp(config: Partial<AppConfig> = {}) {
  const settings = { documentValidation: 'off', metadataPiiGuard: 'warn', maxPaginationLimit: 100, ...config };
  const repository = new InMemoryHolderRepository();
  const aliases = new InMemoryAliasAccountRepository();
  const deletions = new InMemoryHolderDeletions();
  const service = new HolderService(
    repository as unknown as HolderRepository,
    new MetadataPersonalDataPolicy(settings as AppConfig),
    settings as AppConfig,
    deletions as unknown as HolderDeletions,
    new AliasAccountLinks(aliases as unknown as AliasAccountRepository),
  );
  return { repository, aliases, deletions, service };
}

describe('HolderService (in-memory repository)', () => {
  describe('create', () => {
    it('stores the holder and answers it with an id, timestamps and deletedAt null', async () => {
      const { repository, service } = setUp();
      const body = person();
      const created = await service.create(tenant, body);
      expect(created).toMatchObject({
        type: 'NATURAL_PERSON',
        name: body.name,
        document: body.document,
        deletedAt: null,
      });
      expect(repository.records.get(created.id)).toMatchObject({ organizationId: tenant.organizationId });
    });

    it('a second live holder with the same document (any format) is 409 CRM-0010; another organization may', async () => {
      const { repository, service } = setUp();
      const document = cpf();
      await service.create(tenant, person({ document }));
      const formatted = `${document.slice(0, 3)}.${document.slice(3, 6)}.${document.slice(6, 9)}-${document.slice(9)}`;
      expect(await errorCodeOf(service.create(tenant, person({ document: formatted })))).toBe('CRM-0010');
      expect(repository.records.size).toBe(1);
      await service.create(otherTenant, person({ document }));
      expect(repository.records.size).toBe(2);
    });

    it('a document freed by a soft delete can be used again', async () => {
      const { service } = setUp();
      const first = await service.create(tenant, person());
      await service.delete(tenant, first.id, false);
      expect((await service.create(tenant, person({ document: first.document }))).document).toBe(first.document);
    });

    it.each([
      ['legalPerson on a NATURAL_PERSON', () => person({ legalPerson: { tradeName: 'X' } })],
      ['naturalPerson on a LEGAL_PERSON', () => company({ naturalPerson: { motherName: 'Y' } })],
    ])('refuses %s with CRM-0004 and stores nothing', async (_case, body) => {
      const { repository, service } = setUp();
      expect(await errorCodeOf(service.create(tenant, body()))).toBe('CRM-0004');
      expect(repository.records.size).toBe(0);
      await service.create(tenant, person());
      expect(repository.records.size).toBe(1); // control: a valid body is stored
    });

    it('DOCUMENT_VALIDATION=br requires a valid CPF for people and CNPJ for companies (CRM-0033); off accepts any', async () => {
      const { service } = setUp({ documentValidation: 'br' });
      expect((await service.create(tenant, person())).type).toBe('NATURAL_PERSON');
      expect((await service.create(tenant, company())).type).toBe('LEGAL_PERSON');
      expect(await errorCodeOf(service.create(tenant, person({ document: '529.982.247-24' })))).toBe('CRM-0033');
      expect(await errorCodeOf(service.create(tenant, company({ document: '529.982.247-25' })))).toBe('CRM-0033');
      const lenient = setUp({ documentValidation: 'off' }).service;
      expect((await lenient.create(tenant, person({ document: '529.982.247-24' }))).document).toBe('529.982.247-24');
    });

    it('METADATA_PII_GUARD=reject refuses personal data in metadata (CRM-0034) before writing', async () => {
      const { repository, service } = setUp({ metadataPiiGuard: 'reject' });
      const body = person({ metadata: { backupEmail: 'someone@example.com' } });
      expect(await errorCodeOf(service.create(tenant, body))).toBe('CRM-0034');
      expect(repository.records.size).toBe(0);
      await service.create(tenant, person({ metadata: { segment: 'retail' } }));
      expect(repository.records.size).toBe(1);
    });
  });

  describe('get', () => {
    it("is 404 CRM-0006 for an unknown id or another organization's holder", async () => {
      const { service } = setUp();
      const created = await service.create(tenant, person());
      expect((await service.get(tenant, created.id)).id).toBe(created.id);
      expect(await errorCodeOf(service.get(otherTenant, created.id))).toBe('CRM-0006');
      expect(await errorCodeOf(service.get(tenant, '0190d9a4-7c1e-7000-8000-000000000404'))).toBe('CRM-0006');
    });
  });

  describe('update', () => {
    it('merge-patches a live holder: null removes, objects merge, the rest stays', async () => {
      const { service } = setUp();
      const created = await service.create(
        tenant,
        person({ externalId: 'EXT-1', contact: { primaryEmail: 'a@example.com', mobilePhone: '+55 11 90000-0000' } }),
      );
      const patch = { externalId: null, contact: { primaryEmail: 'b@example.com' } } as UpdateHolderDto;
      const updated = await service.update(tenant, created.id, patch);
      expect(updated).not.toHaveProperty('externalId');
      expect(updated.contact).toEqual({ primaryEmail: 'b@example.com', mobilePhone: '+55 11 90000-0000' });
      expect(updated.name).toBe(created.name);
    });

    it('refuses legalPerson on a NATURAL_PERSON holder (CRM-0004) and leaves it unchanged', async () => {
      const { service } = setUp();
      const created = await service.create(tenant, person());
      const patch = { name: 'Changed', legalPerson: { tradeName: 'X' } } as UpdateHolderDto;
      expect(await errorCodeOf(service.update(tenant, created.id, patch))).toBe('CRM-0004');
      expect((await service.get(tenant, created.id)).name).toBe(created.name);
      expect((await service.update(tenant, created.id, { name: 'Changed' })).name).toBe('Changed'); // control
    });

    it('is 404 CRM-0006 for a soft-deleted or unknown holder', async () => {
      const { service } = setUp();
      const created = await service.create(tenant, person());
      await service.delete(tenant, created.id, false);
      expect(await errorCodeOf(service.update(tenant, created.id, { name: 'Late' }))).toBe('CRM-0006');
      expect(await errorCodeOf(service.update(otherTenant, created.id, { name: 'Late' }))).toBe('CRM-0006');
    });
  });

  describe('delete', () => {
    it('soft delete: hidden from get, still there with includeDeleted, a second soft delete is 404', async () => {
      const { repository, service } = setUp();
      const created = await service.create(tenant, person());
      await service.delete(tenant, created.id, false);
      expect(await errorCodeOf(service.get(tenant, created.id))).toBe('CRM-0006');
      expect((await service.get(tenant, created.id, true)).deletedAt).toEqual(expect.any(String));
      expect(repository.records.has(created.id)).toBe(true);
      expect(await errorCodeOf(service.delete(tenant, created.id, false))).toBe('CRM-0006');
    });

    it('hard delete erases a live or an already soft-deleted holder; then it is gone', async () => {
      const { repository, service } = setUp();
      const live = await service.create(tenant, person());
      const softDeleted = await service.create(tenant, person());
      await service.delete(tenant, softDeleted.id, false);
      await service.delete(tenant, live.id, true);
      await service.delete(tenant, softDeleted.id, true);
      expect(repository.erased).toEqual([live.id, softDeleted.id]);
      expect(await errorCodeOf(service.get(tenant, live.id, true))).toBe('CRM-0006');
      expect(await errorCodeOf(service.delete(tenant, live.id, true))).toBe('CRM-0006');
    });

    /** An alias of the holder as the alias repository stores it: pending (a creation under way) or confirmed. */
    const aliasOf = async (aliases: InMemoryAliasAccountRepository, holderId: string, confirmed: boolean) => {
      const alias = await aliases.createPending(
        tenant.organizationId,
        { holderId, ledgerId: 'l', accountId: cpf(), type: 'NATURAL_PERSON', document: cpf() },
        'creation',
      );
      if (confirmed) await aliases.confirm(alias, 'creation');
      return alias;
    };

    it('a holder with a live alias cannot be deleted, soft or hard (CRM-0017); once it is deleted it can', async () => {
      const { repository, aliases, deletions, service } = setUp();
      const created = await service.create(tenant, person());
      const alias = await aliasOf(aliases, created.id, true);
      expect(await errorCodeOf(service.delete(tenant, created.id, false))).toBe('CRM-0017');
      expect(await errorCodeOf(service.delete(tenant, created.id, true))).toBe('CRM-0017');
      expect((await service.get(tenant, created.id)).deletedAt).toBeNull();
      expect(repository.erased).toEqual([]);
      // A refused deletion leaves neither its mark nor its decision behind.
      expect([deletions.marks.size, deletions.decisions.size]).toEqual([0, 0]);
      await aliases.softDelete(tenant.organizationId, created.id, alias._id);
      await service.delete(tenant, created.id, true);
      expect(repository.erased).toEqual([created.id]);
      expect(aliases.records.size).toBe(0); // the soft-deleted alias carried a copy of its document
    });

    it('a pending alias refuses the deletion while its creation may be under way, and not once abandoned', async () => {
      const { repository, aliases, service } = setUp();
      const created = await service.create(tenant, person());
      await aliasOf(aliases, created.id, false);
      expect(await errorCodeOf(service.delete(tenant, created.id, false))).toBe('CRM-0017');
      jest.useFakeTimers({ now: Date.now() + 2 * 60_000 + 1, doNotFake: ['nextTick', 'setImmediate'] });
      try {
        await service.delete(tenant, created.id, false);
      } finally {
        jest.useRealTimers();
      }
      expect(repository.records.get(created.id)!.deletedAt).toEqual(expect.any(Date));
      expect(aliases.records.size).toBe(0);
    });

    it('a deletion cancelled by a creation (its decision taken first) is refused, CRM-0017', async () => {
      const { deletions, service } = setUp();
      const created = await service.create(tenant, person());
      // The creation settles every mark it sees: here, the one this deletion adds.
      const addMark = deletions.mark.bind(deletions);
      deletions.mark = async (organizationId, id) => {
        const mark = await addMark(organizationId, id);
        await deletions.settle(organizationId, id, mark, 'cancel');
        return mark;
      };
      expect(await errorCodeOf(service.delete(tenant, created.id, false))).toBe('CRM-0017');
      expect((await service.get(tenant, created.id)).deletedAt).toBeNull();
    });

    it("is 404 CRM-0006 for another organization's holder, which stays", async () => {
      const { service } = setUp();
      const created = await service.create(tenant, person());
      expect(await errorCodeOf(service.delete(otherTenant, created.id, true))).toBe('CRM-0006');
      expect((await service.get(tenant, created.id)).id).toBe(created.id);
    });
  });
});
