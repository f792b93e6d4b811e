import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { CallerContext, PageOf, pageOf, resolvePaging, TenantContext, WithMetadataFilters } from '@crm/http';
import { CrmException } from '@crm/errors';
import { MetadataPersonalDataPolicy } from '@crm/personal-data';
import { MidazLedgerClient } from '@crm/midaz';
import { v7 as uuidv7 } from 'uuid';
import { HolderLinks, LinkedHolder } from '../holder/holder-links';
import { ListAliasAccountsQuery } from './dto/alias-account-queries.dto';
import { AliasAccountResponseDto } from './dto/alias-account-response.dto';
import { CreateAliasAccountDto, UpdateAliasAccountDto } from './dto/create-alias-account.dto';
import { abandonedBefore } from './abandoned-creations';
import { toAliasAccountResponse } from './alias-account.mapper';
import { AliasAccountRepository, NewAliasAccount } from './alias-account.repository';
import { ALIAS_PROTECTED_FIELDS, AliasAccountRecord } from './alias-account.schema';

const ENTITY = 'AliasAccount';
const notFound = () => new CrmException('CRM-0008', { entityType: ENTITY });
const today = () => new Date().toISOString().slice(0, 10);

/** The alias a creation writes: the body, and what it copies from its holder. */
function newAlias(holder: LinkedHolder, body: CreateAliasAccountDto): NewAliasAccount {
  return {
    holderId: holder.id,
    ledgerId: body.ledgerId,
    accountId: body.accountId,
    type: holder.type,
    document: holder.document,
    ...(body.bankingDetails ? { bankingDetails: { ...body.bankingDetails } } : {}),
    ...(body.regulatoryFields ? { regulatoryFields: { ...body.regulatoryFields } } : {}),
    ...(body.relatedParties ? { relatedParties: body.relatedParties.map((party) => ({ ...party })) } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  };
}

@Injectable()
export class AliasAccountService {
  constructor(
    private readonly aliases: AliasAccountRepository,
    private readonly holders: HolderLinks,
    private readonly midaz: MidazLedgerClient,
    private readonly metadataPolicy: MetadataPersonalDataPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The integration order the CRM enforces: the holder exists and is live, the ledger and the account
   * exist in Midaz, and the account has no other live alias. Nothing is written unless all hold. The last
   * rule is the unique index's alone (CRM-0013 from the write), as in the original: a query before the
   * write would cost every creation a round trip to spare a duplicate its Midaz call. The alias is written
   * pending and confirmed once its holder has cancelled any deletion under way, so that a racing holder
   * deletion and this creation never both succeed (docs/adr/0003-holder-alias-integrity.md).
   */
  async create(
    tenant: TenantContext,
    holderId: string,
    body: CreateAliasAccountDto,
    caller: CallerContext,
  ): Promise<AliasAccountResponseDto> {
    const holder = await this.holders.requireLive(tenant, holderId); // before Midaz is asked anything
    this.assertClosingDate(body.bankingDetails?.closingDate, today());
    this.metadataPolicy.check(body.metadata, ENTITY);
    await this.midaz.assertAccountExists(
      { organizationId: tenant.organizationId, ledgerId: body.ledgerId, accountId: body.accountId },
      caller,
    );
    const pending = uuidv7();
    const created = await this.writePending(tenant.organizationId, newAlias(holder, body), pending);
    const withdraw = () => this.aliases.withdraw(tenant.organizationId, holderId, created._id, pending);
    let claimed: boolean;
    try {
      claimed = await this.holders.claimLink(tenant, holderId);
    } catch (error) {
      await withdraw().catch(() => undefined); // left behind, it stays invisible and is removed as abandoned
      throw error;
    }
    if (!claimed) {
      await withdraw(); // its holder was deleted first
      throw new CrmException('CRM-0006', { entityType: 'Holder' });
    }
    if (!(await this.aliases.confirm(created, pending))) throw new CrmException('CRM-0049', { entityType: ENTITY });
    return toAliasAccountResponse(created);
  }

  /**
   * Writes the alias pending; when the account is taken only by a creation abandoned long ago (it died
   * between its write and its confirmation), that leftover is removed and the write tried once more.
   */
  private async writePending(organizationId: string, alias: NewAliasAccount, pending: string) {
    try {
      return await this.aliases.createPending(organizationId, alias, pending);
    } catch (error) {
      if ((error as CrmException).code !== 'CRM-0013') throw error;
      await this.aliases.removePendingBefore(organizationId, { accountId: alias.accountId }, abandonedBefore());
      return this.aliases.createPending(organizationId, alias, pending);
    }
  }

  async get(
    tenant: TenantContext,
    holderId: string,
    id: string,
    includeDeleted: boolean,
  ): Promise<AliasAccountResponseDto> {
    return toAliasAccountResponse(await this.require(tenant, holderId, id, includeDeleted));
  }

  async update(
    tenant: TenantContext,
    holderId: string,
    id: string,
    body: UpdateAliasAccountDto,
  ): Promise<AliasAccountResponseDto> {
    const { relatedParties, ...patch } = body;
    // The rules run on the alias as the patch loads it (404 first, as before): no read of their own.
    const checkMetadata = this.metadataPolicy.checkOnce(body.metadata, ENTITY);
    const updated = await this.aliases.applyPatch(
      tenant.organizationId,
      holderId,
      id,
      { ...patch },
      (relatedParties ?? []).map((party) => ({ ...party })),
      (alias) => {
        this.assertClosingDate(body.bankingDetails?.closingDate, alias.createdAt.toISOString().slice(0, 10));
        checkMetadata();
      },
    );
    if (!updated) throw notFound();
    return toAliasAccountResponse(updated);
  }

  async delete(tenant: TenantContext, holderId: string, id: string, hard: boolean): Promise<void> {
    const removed = hard
      ? await this.aliases.hardDelete(tenant.organizationId, holderId, id)
      : await this.aliases.softDelete(tenant.organizationId, holderId, id);
    if (!removed) throw notFound();
  }

  async deleteRelatedParty(tenant: TenantContext, holderId: string, id: string, partyId: string): Promise<void> {
    if (!(await this.aliases.removeRelatedParty(tenant.organizationId, holderId, id, partyId))) throw notFound();
  }

  async list(
    tenant: TenantContext,
    query: WithMetadataFilters<ListAliasAccountsQuery>,
  ): Promise<PageOf<AliasAccountResponseDto>> {
    const paging = resolvePaging(query, this.config.maxPaginationLimit);
    const read = await this.aliases.list(
      tenant.organizationId,
      {
        holderId: query.holder_id,
        ledgerId: query.ledger_id,
        accountId: query.account_id,
        bankingDetailsBranch: query.banking_details_branch,
        relatedPartyRole: query.related_party_role,
        search: ALIAS_PROTECTED_FIELDS.searchesIn(query),
        metadata: query.metadataFilters,
      },
      paging,
    );
    return pageOf(paging, read, toAliasAccountResponse);
  }

  private async require(
    tenant: TenantContext,
    holderId: string,
    id: string,
    includeDeleted = false,
  ): Promise<AliasAccountRecord> {
    const alias = await this.aliases.findById(tenant.organizationId, holderId, id, { includeDeleted });
    if (!alias) throw notFound();
    return alias;
  }

  /** closingDate may not precede the day the alias was created (checked on create and on update). */
  private assertClosingDate(closingDate: string | null | undefined, createdOn: string): void {
    if (closingDate && closingDate < createdOn) {
      throw new CrmException('CRM-0023', {
        entityType: ENTITY,
        fields: { 'bankingDetails.closingDate': `must not be before ${createdOn}` },
      });
    }
  }
}
