import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { ProtectedModelStatics } from '@crm/crypto';
import { CrmException, encodeCursor, listFilter, mergePatch, pageFilter, Paging } from '@crm/http';
import { HOLDER_MODEL, HolderRecord } from './holder.schema';

type HolderModel = Model<HolderRecord> & ProtectedModelStatics;

export interface HolderFilters {
  externalId?: string;
  document?: string;
  metadata: Record<string, string>;
}

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

/** Every read and write of holders. Each method takes the organization: no query goes unscoped. */
@Injectable()
export class HolderRepository implements OnModuleInit {
  constructor(@InjectModel(HOLDER_MODEL) private readonly holders: HolderModel) {}

  /** The unique index must exist before the first write, or concurrent duplicates could slip in. */
  async onModuleInit(): Promise<void> {
    await this.holders.createIndexes();
  }

  async create(organizationId: string, data: Omit<HolderRecord, '_id' | 'organizationId' | 'createdAt' | 'updatedAt' | 'deletedAt'>): Promise<HolderRecord> {
    try {
      const created = await this.holders.create({ ...data, organizationId });
      return created.toObject() as HolderRecord;
    } catch (error) {
      if (isDuplicateKey(error)) throw new CrmException('CRM-0010', { entityType: 'Holder' });
      throw error;
    }
  }

  findById(organizationId: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<HolderRecord | null> {
    return this.holders.findOne({ _id: id, organizationId, ...(options.includeDeleted ? {} : { deletedAt: null }) }).lean<HolderRecord>();
  }

  async existsActiveWithDocument(organizationId: string, document: string): Promise<boolean> {
    return (await this.holders.countDocuments({ organizationId, deletedAt: null, ...this.holders.blindIndexFilter('document', organizationId, document) })) > 0;
  }

  /** Applies a JSON merge patch to a live holder; null when there is none. */
  async applyPatch(organizationId: string, id: string, patch: Record<string, unknown>): Promise<HolderRecord | null> {
    const holder = await this.holders.findOne({ _id: id, organizationId, deletedAt: null });
    if (!holder) return null;
    const current = holder.toObject() as unknown as Record<string, unknown>;
    const merged = mergePatch(current, patch) as Record<string, unknown>;
    for (const key of Object.keys(patch)) {
      holder.set(key, merged[key]);
      if (key === 'metadata') holder.markModified('metadata');
    }
    await holder.save();
    return holder.toObject() as HolderRecord;
  }

  /** Sets deletedAt on a live holder; false when there is none. */
  async softDelete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.holders.updateOne({ _id: id, organizationId, deletedAt: null }, { $set: { deletedAt: new Date() } });
    return result.matchedCount > 0;
  }

  /** Removes a holder for good, live or soft-deleted; false when there is none. */
  async hardDelete(organizationId: string, id: string): Promise<boolean> {
    return (await this.holders.deleteOne({ _id: id, organizationId })).deletedCount > 0;
  }

  async list(organizationId: string, filters: HolderFilters, paging: Paging): Promise<{ items: HolderRecord[]; total?: number; nextCursor?: string }> {
    const filter = {
      organizationId,
      ...listFilter(paging, filters.metadata),
      ...(filters.externalId !== undefined ? { externalId: filters.externalId } : {}),
      ...(filters.document !== undefined ? this.holders.blindIndexFilter('document', organizationId, filters.document) : {}),
    };
    const query = this.holders.find(pageFilter(filter, paging)).sort({ _id: paging.direction }).limit(paging.limit);
    if (!paging.afterId) query.skip((paging.page - 1) * paging.limit);
    const [items, total] = await Promise.all([query.lean<HolderRecord[]>(), paging.withTotal ? this.holders.countDocuments(filter) : undefined]);
    const nextCursor = items.length === paging.limit ? encodeCursor(items[items.length - 1]._id) : undefined;
    return { items, total, nextCursor };
  }
}
