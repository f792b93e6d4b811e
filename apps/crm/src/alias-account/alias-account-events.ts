import { EventDraft, wholeSeconds } from '@crm/events';
import type { AliasAccountRecord } from './alias-account.schema';

/** Which alias an event is about. */
export interface AliasRef {
  id: string;
  holderId: string;
  organizationId: string;
}

/**
 * The alias's change events, as the original sends them: ids, type, timestamps and each related party's
 * id and role; never a personal field.
 */
export function aliasChanged(event: 'created' | 'updated', alias: AliasAccountRecord): EventDraft {
  const parties = alias.relatedParties ?? [];
  return {
    resource: 'alias',
    event,
    subject: alias._id,
    at: event === 'created' ? alias.createdAt : alias.updatedAt,
    payload: {
      id: alias._id,
      holderId: alias.holderId,
      organizationId: alias.organizationId,
      ledgerId: alias.ledgerId,
      accountId: alias.accountId,
      type: alias.type,
      createdAt: wholeSeconds(alias.createdAt),
      updatedAt: wholeSeconds(alias.updatedAt),
      relatedParties:
        parties.length > 0 ? parties.map((party) => ({ relatedPartyId: party._id, role: party.role })) : null,
    },
  };
}

export function aliasDeleted(alias: AliasRef, deletionType: 'soft' | 'hard', deletedAt: Date): EventDraft {
  return {
    resource: 'alias',
    event: 'deleted',
    subject: alias.id,
    at: deletedAt,
    payload: {
      id: alias.id,
      holderId: alias.holderId,
      organizationId: alias.organizationId,
      deletionType,
      deletedAt: wholeSeconds(deletedAt),
    },
  };
}

/** The original names the alias (not the party) as the subject, and sends no alias.updated beside it. */
export function relatedPartyDeleted(alias: AliasRef, relatedPartyId: string, deletedAt: Date): EventDraft {
  return {
    resource: 'alias',
    event: 'related-party-deleted',
    subject: alias.id,
    at: deletedAt,
    payload: {
      aliasId: alias.id,
      holderId: alias.holderId,
      organizationId: alias.organizationId,
      relatedPartyId,
      deletedAt: wholeSeconds(deletedAt),
    },
  };
}
