import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { ProtectedModelStatics } from '@crm/crypto';
import { Paging } from '@crm/persistence';
import { CrmException } from '@crm/errors';
import { ScopedStore } from '@crm/persistence';
import { RecordOutbox } from '@crm/events';
import { ChangeEvents } from '../events/change-events';
import { OutboxSources } from '../events/outbox-sources';
import { aliasChanged, aliasDeleted, AliasRef, relatedPartyDeleted } from './alias-account-events';
import {
  ALIAS_ACCOUNT_MODEL,
  AliasAccountRecord,
  AliasSearchName,
  RelatedPartyRecord,
  RETIRED_ALIAS_INDEXES,
} from './alias-account.schema';

export interface AliasAccountFilters {
  holderId?: string;
  ledgerId?: string;
  accountId?: string;
  bankingDetailsBranch?: string;
  relatedPartyRole?: string;
  /** Protected fields, by their declared search names (see ALIAS_PROTECTED_FIELDS), matched through blind indexes. */
  search: Partial<Record<AliasSearchName, string>>;
  metadata: Record<string, string>;
}

export type NewAliasAccount = Omit<
  AliasAccountRecord,
  '_id' | 'organizationId' | 'pending' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'relatedParties'
> & {
  relatedParties?: Array<Omit<RelatedPartyRecord, '_id'>>;
};

/** Fields a confirmed alias lacks: reads and writes see confirmed aliases only (a pending one is a creation under way). */
const UNSET_WHEN_CONFIRMED = ['pending'] as const;

/**
 * Every read and write of alias accounts, scoped by organization and, for single records, by holder. A
 * new alias is written pending (`create`) and becomes visible once its creation confirms it (`confirm`).
 */
@Injectable()
export class AliasAccountRepository implements OnModuleInit {
  private readonly store: ScopedStore<AliasAccountRecord, AliasSearchName>;

  constructor(
    @InjectModel(ALIAS_ACCOUNT_MODEL) aliases: Model<AliasAccountRecord> & ProtectedModelStatics<AliasSearchName>,
    private readonly events: ChangeEvents,
    outboxes: OutboxSources,
  ) {
    this.store = new ScopedStore<AliasAccountRecord, AliasSearchName>(
      aliases,
      () => new CrmException('CRM-0013', { entityType: 'AliasAccount' }),
    );
    outboxes.register(new RecordOutbox('alias_accounts', aliases.collection));
  }

  onModuleInit(): Promise<void> {
    return this.store.ensureIndexes(RETIRED_ALIAS_INDEXES);
  }

  /** Writes a new alias pending under `pending` (409 CRM-0013 when a live or pending alias has the account). */
  async createPending(organizationId: string, alias: NewAliasAccount, pending: string): Promise<AliasAccountRecord> {
    const { pending: _token, ...created } = await this.store.insert(organizationId, { ...alias, pending });
    return created;
  }

  /** Makes a pending alias visible, storing its creation's event; false when it is gone (removed as abandoned). */
  confirm(created: AliasAccountRecord, pending: string): Promise<boolean> {
    const event = this.events.of(aliasChanged('created', created));
    return this.store.updatePlainFields(
      created.organizationId,
      { _id: created._id, holderId: created.holderId, pending },
      { $unset: { pending: 1 }, ...(event ? { $push: { outbox: event } } : {}) },
    );
  }

  /** Removes a pending alias its creation gives up. */
  async withdraw(organizationId: string, holderId: string, id: string, pending: string): Promise<void> {
    await this.store.hardDelete(organizationId, { _id: id, holderId, pending });
  }

  /** Whether a live alias links the holder, confirmed or pending. */
  linksHolder(organizationId: string, holderId: string): Promise<boolean> {
    return this.store.existsLive(organizationId, { holderId });
  }

  /** Removes the pending aliases of a holder or of an account created before `before` (abandoned creations). */
  removePendingBefore(
    organizationId: string,
    of: { holderId: string } | { accountId: string },
    before: Date,
  ): Promise<void> {
    return this.store.hardDeleteAll(organizationId, { ...of, pending: { $ne: null }, createdAt: { $lt: before } });
  }

  /**
   * Erases every alias record of the holder, whatever its state: pending ones (creations that announced
   * nothing) at once, the others one by one as a hard delete does, each with its event.
   */
  async eraseOfHolder(organizationId: string, holderId: string): Promise<void> {
    await this.store.hardDeleteAll(organizationId, { holderId, pending: { $ne: null } });
    for (const id of await this.store.idsOf(organizationId, { holderId }))
      await this.hardDelete(organizationId, holderId, id);
  }

  findById(
    organizationId: string,
    holderId: string,
    id: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<AliasAccountRecord | null> {
    return this.store.findById(organizationId, id, { ...options, equal: { holderId }, absent: UNSET_WHEN_CONFIRMED });
  }

  /** Merge-patches a live alias, once `check` accepts it as loaded, and appends related parties (each gets a new id). */
  applyPatch(
    organizationId: string,
    holderId: string,
    id: string,
    patch: Record<string, unknown>,
    appendParties: Array<Omit<RelatedPartyRecord, '_id'>>,
    check?: (current: AliasAccountRecord) => void,
  ): Promise<AliasAccountRecord | null> {
    return this.store.patch(organizationId, id, patch, {
      equal: { holderId },
      absent: UNSET_WHEN_CONFIRMED,
      check,
      edit: appendParties.length > 0 ? { relatedParties: (parties) => [...parties, ...appendParties] } : {},
      event: (updated) => this.events.of(aliasChanged('updated', updated)),
    });
  }

  /**
   * Removes one related party of a live alias, as the write finds the alias (a party appended meanwhile
   * stays); the whole array is written again: the remaining elements are re-sealed and their tokens
   * recomputed. Null when the alias is not there; 404 CRM-0024 when the party is not (any more).
   */
  removeRelatedParty(
    organizationId: string,
    holderId: string,
    id: string,
    partyId: string,
  ): Promise<AliasAccountRecord | null> {
    const isTheParty = (party: RelatedPartyRecord) => party._id === partyId;
    return this.store.patch(
      organizationId,
      id,
      {},
      {
        equal: { holderId },
        absent: UNSET_WHEN_CONFIRMED,
        check: (alias) => {
          if (!alias.relatedParties?.some(isTheParty))
            throw new CrmException('CRM-0024', { entityType: 'RelatedParty' });
        },
        edit: { relatedParties: (parties) => parties.filter((party) => !isTheParty(party as RelatedPartyRecord)) },
        event: (alias) =>
          this.events.of(relatedPartyDeleted({ id, holderId, organizationId }, partyId, alias.updatedAt)),
      },
    );
  }

  /** Soft-deletes a live alias; false when there is none. */
  softDelete(organizationId: string, holderId: string, id: string): Promise<boolean> {
    const alias: AliasRef = { id, holderId, organizationId };
    return this.store.softDelete(organizationId, { _id: id, holderId, pending: null }, ({ deletedAt }) =>
      this.events.of(aliasDeleted(alias, 'soft', deletedAt)),
    );
  }

  /** Removes an alias for good, live or soft-deleted; false when there is none. */
  hardDelete(organizationId: string, holderId: string, id: string): Promise<boolean> {
    const alias: AliasRef = { id, holderId, organizationId };
    return this.store.hardDelete(
      organizationId,
      { _id: id, holderId, pending: null },
      {
        event: ({ deletedAt }) => this.events.of(aliasDeleted(alias, 'hard', deletedAt)),
        handOff: this.events.handOff,
      },
    );
  }

  list(organizationId: string, filters: AliasAccountFilters, paging: Paging) {
    const exact = (path: string, value: string | undefined) => (value !== undefined ? { [path]: value } : {});
    return this.store.page(
      organizationId,
      {
        ...exact('holderId', filters.holderId),
        ...exact('ledgerId', filters.ledgerId),
        ...exact('accountId', filters.accountId),
        ...exact('bankingDetails.branch', filters.bankingDetailsBranch),
        ...exact('relatedParties.role', filters.relatedPartyRole),
        ...this.store.blindIndex(organizationId, filters.search),
        pending: null,
      },
      paging,
      filters.metadata,
    );
  }
}
