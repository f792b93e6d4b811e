import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';
import { encodeCursor, pageFilter, Paging } from '@crm/persistence';
import { AUDIT_EVENT_MODEL, AuditEvent } from './audit-event.schema';

export interface AuditEventFilter {
  resourceId?: string;
  actor?: string;
  /** true: only events whose answer revealed masked personal data; false: only the others. */
  revealed?: boolean;
}

/**
 * The audit collection. Writes are appends only (there is no update path); the one delete is the
 * retention purge of whole events past AUDIT_RETENTION_DAYS.
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectModel(AUDIT_EVENT_MODEL) private readonly model: Model<AuditEvent>) {}

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Appends events; idempotent by _id, so a batch retried after a partial write adds nothing twice. */
  async append(events: AuditEvent[]): Promise<void> {
    try {
      await this.model.collection.insertMany(events as never[], { ordered: false });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    return (await this.model.deleteMany({ time: { $lt: cutoff } })).deletedCount;
  }

  async page(
    organizationId: string,
    filter: AuditEventFilter,
    paging: Paging,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    const scoped: Record<string, unknown> = {
      organizationId,
      ...(filter.resourceId ? { resourceIds: filter.resourceId } : {}),
      ...(filter.actor ? { 'actor.subject': filter.actor } : {}),
      ...(filter.revealed !== undefined ? { revealed: { $exists: filter.revealed } } : {}),
      ...(paging.createdAt ? { time: paging.createdAt } : {}),
    };
    const items = await this.model
      .find(pageFilter(scoped, paging))
      .sort({ _id: paging.direction })
      .limit(paging.limit)
      .lean<AuditEvent[]>();
    return { items, nextCursor: items.length === paging.limit ? encodeCursor(items[items.length - 1]._id) : undefined };
  }
}
