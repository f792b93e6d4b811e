import { EventDraft, wholeSeconds } from '@crm/events';
import type { HolderRecord } from './holder.schema';

/**
 * The holder's change events, as the original sends them: ids, type, externalId and timestamps; never
 * a personal field.
 */
export function holderChanged(event: 'created' | 'updated', holder: HolderRecord): EventDraft {
  return {
    resource: 'holder',
    event,
    subject: holder._id,
    at: event === 'created' ? holder.createdAt : holder.updatedAt,
    payload: {
      id: holder._id,
      organizationId: holder.organizationId,
      type: holder.type,
      externalId: holder.externalId ?? null,
      createdAt: wholeSeconds(holder.createdAt),
      updatedAt: wholeSeconds(holder.updatedAt),
    },
  };
}

export function holderDeleted(
  holder: { id: string; organizationId: string },
  deletionType: 'soft' | 'hard',
  deletedAt: Date,
): EventDraft {
  return {
    resource: 'holder',
    event: 'deleted',
    subject: holder.id,
    at: deletedAt,
    payload: { id: holder.id, organizationId: holder.organizationId, deletionType, deletedAt: wholeSeconds(deletedAt) },
  };
}
