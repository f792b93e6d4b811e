import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { ListQuery, PageOf, pageOf, resolvePaging, TenantContext } from '@crm/http';
import { CrmException } from '@crm/errors';
import { isValidCnpj, isValidCpf } from '@crm/documents';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { HolderDeletions } from './holder-deletions.repository';
import { HolderAliases } from './holder-aliases.port';
import { CreateHolderDto } from './dto/create-holder.dto';
import { HolderResponseDto } from './dto/holder-response.dto';
import { UpdateHolderDto } from './dto/update-holder.dto';
import { toHolderResponse } from './holder.mapper';
import { HolderFilters, HolderRepository } from './holder.repository';
import { HOLDER_PROTECTED_FIELDS, HolderRecord, HolderType } from './holder.schema';

const ENTITY = 'Holder';
const notFound = () => new CrmException('CRM-0006', { entityType: ENTITY });
const hasAliases = () => new CrmException('CRM-0017', { entityType: ENTITY });

@Injectable()
export class HolderService {
  constructor(
    private readonly holders: HolderRepository,
    private readonly metadataPolicy: MetadataPersonalDataPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deletions: HolderDeletions,
    private readonly aliases: HolderAliases,
  ) {}

  async create(tenant: TenantContext, body: CreateHolderDto): Promise<HolderResponseDto> {
    this.assertPersonMatchesType(body.type, body);
    this.assertValidDocument(body.type, body.document);
    this.metadataPolicy.check(body.metadata, ENTITY);
    return toHolderResponse(await this.holders.create(tenant.organizationId, { ...body }));
  }

  async get(tenant: TenantContext, id: string, includeDeleted = false): Promise<HolderResponseDto> {
    return toHolderResponse(await this.require(tenant, id, includeDeleted));
  }

  /** Loads a live (or, when asked, soft-deleted) holder of the tenant, or answers 404 CRM-0006. */
  private async require(tenant: TenantContext, id: string, includeDeleted = false): Promise<HolderRecord> {
    const holder = await this.holders.findById(tenant.organizationId, id, { includeDeleted });
    if (!holder) throw notFound();
    return holder;
  }

  async update(tenant: TenantContext, id: string, patch: UpdateHolderDto): Promise<HolderResponseDto> {
    // The rules run on the holder as the patch loads it (404 first, as before): no read of their own.
    const checkMetadata = this.metadataPolicy.checkOnce(patch.metadata, ENTITY);
    const updated = await this.holders.applyPatch(tenant.organizationId, id, { ...patch }, (holder) => {
      this.assertPersonMatchesType(holder.type, patch);
      checkMetadata();
    });
    if (!updated) throw notFound();
    return toHolderResponse(updated);
  }

  /**
   * The deletion rule: a holder goes only while no alias links it, decided with single-document writes
   * whatever the interleaving with alias creations (docs/adr/0003-holder-alias-integrity.md). The
   * deletion is marked; the holder's aliases are looked for, live or pending (creations abandoned long ago
   * do not count); none: the deletion is decided, unless a creation that saw the mark cancelled it first.
   * A hard delete also erases its aliases, before the holder is marked for erasure: once marked, a crash
   * leaves the holder for the event relay to finish, and nothing would be left to find its aliases by.
   */
  async delete(tenant: TenantContext, id: string, hard: boolean): Promise<void> {
    const state = await this.holders.stateOf(tenant.organizationId, id);
    if (!state || (state === 'deleted' && !hard)) throw notFound();
    if (state === 'live') await this.deleteLive(tenant, id, hard);
    else await this.aliases.eraseAll(tenant, id);
    if (hard) await this.holders.erase(tenant.organizationId, id);
  }

  private async deleteLive(tenant: TenantContext, id: string, hard: boolean): Promise<void> {
    const { organizationId } = tenant;
    const mark = await this.deletions.mark(organizationId, id);
    if (await this.aliases.anyLinking(tenant, id)) {
      await this.deletions.withdraw(organizationId, mark).catch(() => undefined); // a leftover mark is harmless
      throw hasAliases();
    }
    // A failure here leaves the mark, and whatever decision stands, for the next alias creation to settle.
    const decision = await this.deletions.settle(organizationId, id, mark, 'delete');
    if (decision === undefined) throw notFound(); // forgotten: another deletion carried the holder off
    if (decision === 'cancel') {
      await this.deletions.withdraw(organizationId, mark).catch(() => undefined);
      throw hasAliases();
    }
    if (hard) await this.aliases.eraseAll(tenant, id); // decided: no alias creation can link it any more
    await this.holders.softDelete(organizationId, id, { hard });
    await this.deletions.forgetHolder(organizationId, id).catch(() => undefined); // leftovers are harmless
  }

  async list(
    tenant: TenantContext,
    query: ListQuery & { external_id?: string; document?: string; metadataFilters: Record<string, string> },
  ): Promise<PageOf<HolderResponseDto>> {
    const paging = resolvePaging(query, this.config.maxPaginationLimit);
    const filters: HolderFilters = {
      externalId: query.external_id,
      search: HOLDER_PROTECTED_FIELDS.searchesIn(query),
      metadata: query.metadataFilters,
    };
    return pageOf(paging, await this.holders.list(tenant.organizationId, filters, paging), toHolderResponse);
  }

  /** naturalPerson belongs to NATURAL_PERSON holders and legalPerson to LEGAL_PERSON ones. */
  private assertPersonMatchesType(type: HolderType, body: { naturalPerson?: unknown; legalPerson?: unknown }): void {
    if (type === 'LEGAL_PERSON' && body.naturalPerson) {
      throw new CrmException('CRM-0004', {
        entityType: ENTITY,
        fields: { naturalPerson: 'only allowed for NATURAL_PERSON holders' },
      });
    }
    if (type === 'NATURAL_PERSON' && body.legalPerson) {
      throw new CrmException('CRM-0004', {
        entityType: ENTITY,
        fields: { legalPerson: 'only allowed for LEGAL_PERSON holders' },
      });
    }
  }

  /** With DOCUMENT_VALIDATION=br, people need a valid CPF and companies a valid CNPJ (numeric or alphanumeric). */
  private assertValidDocument(type: HolderType, document: string): void {
    if (this.config.documentValidation !== 'br') return;
    const valid = type === 'NATURAL_PERSON' ? isValidCpf(document) : isValidCnpj(document);
    if (!valid) {
      const expected = type === 'NATURAL_PERSON' ? 'a valid CPF' : 'a valid CNPJ';
      throw new CrmException('CRM-0033', {
        entityType: ENTITY,
        message: `The document is not ${expected}.`,
        fields: { document: `must be ${expected}` },
      });
    }
  }
}
