import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { ListQuery, PageOf, pageOf, resolvePaging, TenantContext } from '@crm/http';
import { CrmException } from '@crm/errors';
import { isValidCnpj, isValidCpf } from '@crm/documents';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { v7 as uuidv7 } from 'uuid';
import { DeletionDecisions } from './deletion-decisions.repository';
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
/**
 * How old a pending alias must be before a holder deletion may remove it as abandoned (its creation died
 * or stalled; one that wakes up later finds its alias gone and answers 409 CRM-0049). A creation writes
 * and confirms its alias within milliseconds. The clock decides only when such leftovers stop blocking a
 * deletion, never whether a deletion may proceed.
 */
const ABANDONED_CREATION_MS = 2 * 60_000;

@Injectable()
export class HolderService {
  constructor(
    private readonly holders: HolderRepository,
    private readonly metadataPolicy: MetadataPersonalDataPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly decisions: DeletionDecisions,
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
   * whatever the interleaving with alias creations (docs/adr/0003-holder-alias-integrity.md). The holder
   * is marked; its aliases are looked for, live or pending (pending ones abandoned long ago are removed
   * first); none: the deletion is decided, unless a creation that saw the mark decided to cancel it first.
   * A hard delete also erases its aliases.
   */
  async delete(tenant: TenantContext, id: string, hard: boolean): Promise<void> {
    const holder = await this.holders.findById(tenant.organizationId, id, { includeDeleted: true });
    if (!holder || (holder.deletedAt !== null && !hard)) throw notFound();
    if (holder.deletedAt === null) await this.deleteLive(tenant, id);
    if (hard) {
      await this.aliases.eraseAll(tenant, id);
      await this.holders.erase(tenant.organizationId, id);
    }
  }

  private async deleteLive(tenant: TenantContext, id: string): Promise<void> {
    const { organizationId } = tenant;
    const mark = uuidv7();
    if (!(await this.holders.addDeletionMark(organizationId, id, mark))) throw notFound();
    try {
      if (await this.linked(tenant, id)) throw hasAliases();
      if ((await this.decisions.settle(organizationId, id, mark, 'delete')) !== 'delete') throw hasAliases();
    } catch (error) {
      await this.withdrawMark(organizationId, id, mark).catch(() => undefined); // a leftover mark is harmless
      throw error;
    }
    await this.holders.softDelete(organizationId, id);
    // Decisions about a deleted holder decide nothing any more; a leftover is harmless.
    await this.decisions.forgetHolder(organizationId, id).catch(() => undefined);
  }

  private async withdrawMark(organizationId: string, id: string, mark: string): Promise<void> {
    await this.holders.removeDeletionMark(organizationId, id, mark);
    await this.decisions.forget(organizationId, mark);
  }

  /** Whether an alias links the holder, once pending ones abandoned long ago are removed (when there is any). */
  private async linked(tenant: TenantContext, id: string): Promise<boolean> {
    if (!(await this.aliases.anyLinking(tenant, id))) return false;
    await this.aliases.removeAbandoned(tenant, id, new Date(Date.now() - ABANDONED_CREATION_MS));
    return this.aliases.anyLinking(tenant, id);
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
