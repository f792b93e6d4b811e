import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { Connection, Model } from 'mongoose';
import type { ProtectedModelStatics } from '@crm/crypto';
import { Paging } from '@crm/persistence';
import { CrmException } from '@crm/errors';
import { COLLECTIONS, ScopedStore } from '@crm/persistence';
import { HOLDER_MODEL, HolderRecord, HolderSearchName } from './holder.schema';

export interface HolderFilters {
  externalId?: string;
  /** Protected fields, by their declared search names (see HOLDER_PROTECTED_FIELDS), matched through blind indexes. */
  search: Partial<Record<HolderSearchName, string>>;
  metadata: Record<string, string>;
}

export type NewHolder = Omit<
  HolderRecord,
  | '_id'
  | 'organizationId'
  | 'liveAliasCount'
  | 'aliasChangeStartedAt'
  | 'aliasCountVersion'
  | 'aliasRecounts'
  | 'createdAt'
  | 'updatedAt'
  | 'deletedAt'
>;

/** Every read and write of holders. Each method takes the organization: no query goes unscoped. */
@Injectable()
export class HolderRepository implements OnModuleInit {
  private readonly store: ScopedStore<HolderRecord, HolderSearchName>;
  /**
   * While previous hash keys are configured, a document may still be indexed under an older token
   * that the unique index cannot compare: uniqueness then needs a search first (after `keys rotate`
   * and the removal of those keys, the index alone suffices).
   */
  readonly documentNeedsPreCheck: boolean;

  constructor(
    @InjectModel(HOLDER_MODEL) holders: Model<HolderRecord> & ProtectedModelStatics<HolderSearchName>,
    @InjectConnection() private readonly connection: Connection,
  ) {
    this.store = new ScopedStore<HolderRecord, HolderSearchName>(
      holders,
      () => new CrmException('CRM-0010', { entityType: 'Holder' }),
    );
    this.documentNeedsPreCheck = holders.searchesPreviousHashKeys();
  }

  onModuleInit(): Promise<void> {
    return this.store.ensureIndexes();
  }

  create(organizationId: string, holder: NewHolder): Promise<HolderRecord> {
    return this.store.insert(organizationId, { ...holder });
  }

  findById(
    organizationId: string,
    id: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<HolderRecord | null> {
    return this.store.findById(organizationId, id, options);
  }

  existsActiveWithDocument(organizationId: string, document: string): Promise<boolean> {
    return this.store.existsLive(organizationId, this.store.blindIndex(organizationId, { document }));
  }

  /** Applies a JSON merge patch to a live holder, once `check` accepts it as loaded; null when there is none. */
  applyPatch(
    organizationId: string,
    id: string,
    patch: Record<string, unknown>,
    check?: (current: HolderRecord) => void,
  ): Promise<HolderRecord | null> {
    return this.store.patch(organizationId, id, patch, { check });
  }

  /**
   * Counts one more live alias on a live holder, stamped with when the change began (see
   * HolderService.delete); the holder as it was before, or null when it is not live (any more).
   */
  reserveAliasSlot(organizationId: string, id: string, at: Date): Promise<HolderRecord | null> {
    return this.store.updateLiveBookkeeping(
      organizationId,
      { _id: id },
      { $inc: { liveAliasCount: 1, aliasCountVersion: 1 }, $set: { aliasChangeStartedAt: at } },
    );
  }

  /**
   * Counts one live alias less (deleted, or its creation failed after the reservation), never below zero,
   * and only while the holder's count of corrections is still `recounts` (as read when the change began):
   * a correction since counted the alias out already.
   */
  async releaseAliasSlot(organizationId: string, id: string, recounts: number | undefined): Promise<void> {
    await this.store.updateBookkeeping(
      organizationId,
      { _id: id, liveAliasCount: { $gt: 0 }, aliasRecounts: recounts ?? null },
      { $inc: { liveAliasCount: -1, aliasCountVersion: 1 } },
    );
  }

  /**
   * Whether the holder is live and its count was not corrected since `recounts` corrections (as its
   * reservation read them). When so, the counter's version moves: a correction that read it before fails.
   */
  keepAliasSlot(organizationId: string, id: string, recounts: number | undefined): Promise<boolean> {
    return this.store.updateBookkeeping(
      organizationId,
      { _id: id, aliasRecounts: recounts ?? null },
      { $inc: { aliasCountVersion: 1 } },
      { live: true },
    );
  }

  /**
   * Puts back the stamp `stamped` replaced (none: removes it), if it is still there and the counter's
   * version is `version`: one change after the reservation that stamped it, which is its own release or
   * a correction that counted its slot out already (no reservation came since either way).
   */
  async restoreAliasStamp(
    organizationId: string,
    id: string,
    { stamped, version, previous }: { stamped: Date; version: number; previous: Date | undefined },
  ): Promise<void> {
    await this.store.updateBookkeeping(
      organizationId,
      { _id: id, aliasChangeStartedAt: stamped, aliasCountVersion: version },
      previous ? { $set: { aliasChangeStartedAt: previous } } : { $unset: { aliasChangeStartedAt: 1 } },
    );
  }

  /** The holder's count of corrections to its live-alias count (undefined: none yet, or no such holder). */
  async aliasRecountsOf(organizationId: string, id: string): Promise<number | undefined> {
    return (await this.store.bookkeepingOf(organizationId, id, ['aliasRecounts']))?.aliasRecounts;
  }

  /** Whether a live alias links the holder. */
  async hasLiveAliases(organizationId: string, id: string): Promise<boolean> {
    const aliases = this.connection.collection(COLLECTIONS.aliasAccounts);
    return (await aliases.countDocuments({ organizationId, holderId: id, deletedAt: null }, { limit: 1 })) > 0;
  }

  /**
   * Sets a live holder's count of live aliases to zero if its counter is still as `seen` read it (no
   * reservation, release or kept slot since); whether it did. The caller found no live alias behind it.
   */
  resetAliasSlots(organizationId: string, seen: HolderRecord): Promise<boolean> {
    return this.store.updateBookkeeping(
      organizationId,
      { _id: seen._id, liveAliasCount: seen.liveAliasCount, aliasCountVersion: seen.aliasCountVersion ?? null },
      { $set: { liveAliasCount: 0 }, $inc: { aliasCountVersion: 1, aliasRecounts: 1 } },
      { live: true },
    );
  }

  /** Soft-deletes a live holder in the same atomic update that checks it has no live alias; false otherwise. */
  softDeleteWithoutLiveAliases(organizationId: string, id: string): Promise<boolean> {
    return this.store.softDelete(organizationId, { _id: id, liveAliasCount: { $not: { $gt: 0 } } });
  }

  /**
   * Removes a (soft-deleted) holder for good with every alias record that copies its data. Aliases go
   * first: a run cut in between leaves a soft-deleted holder that a second hard delete finishes.
   */
  async erase(organizationId: string, id: string): Promise<void> {
    await this.connection.collection(COLLECTIONS.aliasAccounts).deleteMany({ organizationId, holderId: id });
    await this.store.hardDelete(organizationId, { _id: id });
  }

  list(organizationId: string, filters: HolderFilters, paging: Paging) {
    return this.store.page(
      organizationId,
      {
        ...(filters.externalId !== undefined ? { externalId: filters.externalId } : {}),
        ...this.store.blindIndex(organizationId, filters.search),
      },
      paging,
      filters.metadata,
    );
  }
}
