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
import { holderChanged, holderDeleted } from './holder-events';
import { HOLDER_MODEL, HolderRecord, HolderSearchName } from './holder.schema';

export interface HolderFilters {
  externalId?: string;
  /** Protected fields, by their declared search names (see HOLDER_PROTECTED_FIELDS), matched through blind indexes. */
  search: Partial<Record<HolderSearchName, string>>;
  metadata: Record<string, string>;
}

export type NewHolder = Omit<HolderRecord, '_id' | 'organizationId' | 'createdAt' | 'updatedAt' | 'deletedAt'>;

const documentTaken = () => new CrmException('CRM-0010', { entityType: 'Holder' });

/** Every read and write of holders. Each method takes the organization: no query goes unscoped. */
@Injectable()
export class HolderRepository implements OnModuleInit {
  private readonly store: ScopedStore<HolderRecord, HolderSearchName>;

  constructor(
    @InjectModel(HOLDER_MODEL)
    private readonly holders: Model<HolderRecord> & ProtectedModelStatics<HolderSearchName>,
    private readonly events: ChangeEvents,
    outboxes: OutboxSources,
  ) {
    this.store = new ScopedStore<HolderRecord, HolderSearchName>(holders, documentTaken);
    outboxes.register(new RecordOutbox('holders', holders.collection));
  }

  onModuleInit(): Promise<void> {
    return this.store.ensureIndexes();
  }

  /**
   * Stores a new holder; 409 CRM-0010 when a live holder of the organization has its document. The unique
   * index decides, race-free, for tokens of the current hash key; while previous hash keys are configured
   * a document may still be indexed under an older token, which a search finds first.
   */
  async create(organizationId: string, holder: NewHolder): Promise<HolderRecord> {
    if (
      this.holders.searchesPreviousHashKeys() &&
      (await this.store.existsLive(
        organizationId,
        this.store.blindIndex(organizationId, { document: holder.document }),
      ))
    )
      throw documentTaken();
    return this.store.insert(organizationId, { ...holder }, (created) =>
      this.events.of(holderChanged('created', created)),
    );
  }

  findById(
    organizationId: string,
    id: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<HolderRecord | null> {
    return this.store.findById(organizationId, id, options);
  }

  /** Applies a JSON merge patch to a live holder, once `check` accepts it as loaded; null when there is none. */
  applyPatch(
    organizationId: string,
    id: string,
    patch: Record<string, unknown>,
    check?: (current: HolderRecord) => void,
  ): Promise<HolderRecord | null> {
    return this.store.patch(organizationId, id, patch, {
      check,
      event: (updated) => this.events.of(holderChanged('updated', updated)),
    });
  }

  /** Whether the holder is live, soft-deleted, or absent (undefined); read by id, nothing decrypted. */
  async stateOf(organizationId: string, id: string): Promise<'live' | 'deleted' | undefined> {
    const stored = await this.store.plainFieldsOf(organizationId, id, ['deletedAt']);
    if (!stored) return undefined;
    return stored.deletedAt == null ? 'live' : 'deleted';
  }

  /**
   * Soft-deletes a live holder; false when it is not live. The first step of a hard delete stores the
   * hard delete's event and marks the holder for erasure (see `erase`).
   */
  softDelete(organizationId: string, id: string, { hard = false }: { hard?: boolean } = {}): Promise<boolean> {
    return this.store.softDelete(
      organizationId,
      { _id: id },
      ({ deletedAt }) => this.events.of(holderDeleted({ id, organizationId }, hard ? 'hard' : 'soft', deletedAt)),
      { erasing: hard },
    );
  }

  /** Removes a (soft-deleted) holder for good, with its event unless its soft delete stored it. */
  async erase(organizationId: string, id: string): Promise<void> {
    await this.store.hardDelete(
      organizationId,
      { _id: id },
      {
        event: ({ deletedAt }) => this.events.of(holderDeleted({ id, organizationId }, 'hard', deletedAt)),
        handOff: this.events.handOff,
      },
    );
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
