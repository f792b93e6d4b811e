import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { ListQuery, PageOf, pageOf, resolvePaging, TenantContext } from '@crm/http';
import { CrmException } from '@crm/errors';
import { isValidCnpj, isValidCpf } from '@crm/documents';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { LOST_SLOT_AGE_MS, SlotClock } from './alias-slots';
import { CreateHolderDto } from './dto/create-holder.dto';
import { HolderResponseDto } from './dto/holder-response.dto';
import { UpdateHolderDto } from './dto/update-holder.dto';
import { toHolderResponse } from './holder.mapper';
import { HolderFilters, HolderRepository } from './holder.repository';
import { HOLDER_PROTECTED_FIELDS, HolderRecord, HolderType } from './holder.schema';

const ENTITY = 'Holder';
const notFound = () => new CrmException('CRM-0006', { entityType: ENTITY });

@Injectable()
export class HolderService {
  constructor(
    private readonly holders: HolderRepository,
    private readonly metadataPolicy: MetadataPersonalDataPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: SlotClock,
  ) {}

  async create(tenant: TenantContext, body: CreateHolderDto): Promise<HolderResponseDto> {
    this.assertPersonMatchesType(body.type, body);
    this.assertValidDocument(body.type, body.document);
    this.metadataPolicy.check(body.metadata, ENTITY);
    // The unique index is the race-safe guard; this check also covers tokens of previous hash keys.
    if (
      this.holders.documentNeedsPreCheck &&
      (await this.holders.existsActiveWithDocument(tenant.organizationId, body.document))
    )
      throw new CrmException('CRM-0010', { entityType: ENTITY });
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
   * The deletion rule: a holder goes only while no live alias links it. Its live-alias counter and its
   * deletion change in one conditional update, so a racing alias creation either counts first (and the
   * delete is refused, CRM-0017) or finds the holder gone (404). A hard delete also erases its aliases.
   */
  async delete(tenant: TenantContext, id: string, hard: boolean): Promise<void> {
    if (!(await this.holders.softDeleteWithoutLiveAliases(tenant.organizationId, id))) {
      const holder = await this.holders.findById(tenant.organizationId, id, { includeDeleted: true });
      if (!holder) throw notFound();
      if (holder.deletedAt === null) await this.deleteOverLostSlots(tenant, holder);
      else if (!hard) throw notFound(); // already soft-deleted
    }
    if (hard) await this.holders.erase(tenant.organizationId, id);
  }

  /**
   * A live holder whose count says aliases link it: refused (CRM-0017), unless no live alias does and the
   * last alias creation on it began LOST_SLOT_AGE_MS ago. Then the count is what a crash left (a
   * reservation whose alias never came), or a deleted alias whose release has not landed (a crash, or still
   * on its way: the release then lowers nothing, see HolderLinks.releaseAlias): it is reset, if no slot
   * moved since the holder was read, and the deletion tried again. A creation slower than that finds out
   * (HolderLinks.keepAlias).
   */
  private async deleteOverLostSlots(tenant: TenantContext, holder: HolderRecord): Promise<void> {
    const { organizationId } = tenant;
    const lastChange = holder.aliasChangeStartedAt?.getTime() ?? 0; // none: counted by an earlier version
    const corrected =
      this.clock.now() - lastChange >= LOST_SLOT_AGE_MS &&
      !(await this.holders.hasLiveAliases(organizationId, holder._id)) &&
      (await this.holders.resetAliasSlots(organizationId, holder)) &&
      (await this.holders.softDeleteWithoutLiveAliases(organizationId, holder._id));
    if (!corrected) throw new CrmException('CRM-0017', { entityType: ENTITY });
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
