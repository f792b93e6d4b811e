import { randomUUID } from 'node:crypto';
import { CrmException } from '@crm/errors';
import { applyPatchInPlace } from './merge-patch';
import type {
  AliasAccountRepository,
  NewAliasAccount,
} from '../../apps/crm/src/alias-account/alias-account.repository';
import type { AliasAccountRecord, RelatedPartyRecord } from '../../apps/crm/src/alias-account/alias-account.schema';

/** The part of AliasAccountRepository that the alias rules use (listing is the database's business). */
export type AliasAccountStore = Pick<
  AliasAccountRepository,
  'create' | 'findById' | 'applyPatch' | 'removeRelatedParty' | 'softDelete' | 'hardDelete'
>;

/**
 * Alias accounts in memory, with the guarantee the real repository gets from its unique index: one live
 * alias per account and organization (CRM-0013). `failNextCreate` makes the next write fail, as a lost
 * race or a database outage would after the checks passed.
 */
export class InMemoryAliasAccountRepository implements AliasAccountStore {
  readonly records = new Map<string, AliasAccountRecord>();
  private nextCreateFailure?: Error;

  constructor(private readonly journal: string[] = []) {}

  failNextCreate(error: Error): void {
    this.nextCreateFailure = error;
  }

  create(organizationId: string, alias: NewAliasAccount): Promise<AliasAccountRecord> {
    return Promise.resolve().then(() => {
      this.journal.push('aliases.create');
      const failure = this.nextCreateFailure;
      this.nextCreateFailure = undefined;
      if (failure) throw failure;
      if (this.liveForAccount(organizationId, alias.accountId))
        throw new CrmException('CRM-0013', { entityType: 'AliasAccount' });
      const now = new Date();
      const record: AliasAccountRecord = {
        ...structuredClone(alias),
        relatedParties: alias.relatedParties?.map((party) => ({ ...party, _id: randomUUID() })),
        _id: randomUUID(),
        organizationId,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      };
      if (!record.relatedParties) delete record.relatedParties;
      this.records.set(record._id, record);
      return structuredClone(record);
    });
  }

  findById(organizationId: string, holderId: string, id: string, options: { includeDeleted?: boolean } = {}) {
    const record = this.find(organizationId, holderId, id, options.includeDeleted);
    return Promise.resolve(record ? structuredClone(record) : null);
  }

  applyPatch(
    organizationId: string,
    holderId: string,
    id: string,
    patch: Record<string, unknown>,
    appendParties: Array<Omit<RelatedPartyRecord, '_id'>>,
    check?: (current: AliasAccountRecord) => void,
  ): Promise<AliasAccountRecord | null> {
    return Promise.resolve().then(() => {
      const record = this.find(organizationId, holderId, id);
      if (!record) return null;
      check?.(structuredClone(record));
      applyPatchInPlace(record, patch);
      if (appendParties.length > 0)
        record.relatedParties = [
          ...(record.relatedParties ?? []),
          ...appendParties.map((party) => ({ ...party, _id: randomUUID() })),
        ];
      record.updatedAt = new Date();
      return structuredClone(record);
    });
  }

  removeRelatedParty(organizationId: string, holderId: string, id: string, partyId: string) {
    const record = this.find(organizationId, holderId, id);
    if (!record) return Promise.resolve(null);
    if (!record.relatedParties?.some((party) => party._id === partyId))
      return Promise.reject(new CrmException('CRM-0024', { entityType: 'RelatedParty' }));
    record.relatedParties = record.relatedParties.filter((party) => party._id !== partyId);
    return Promise.resolve(structuredClone(record));
  }

  softDelete(organizationId: string, holderId: string, id: string): Promise<'live' | null> {
    const record = this.find(organizationId, holderId, id);
    if (!record) return Promise.resolve(null);
    record.deletedAt = new Date();
    return Promise.resolve('live');
  }

  hardDelete(organizationId: string, holderId: string, id: string): Promise<'live' | 'soft-deleted' | null> {
    this.journal.push('aliases.hardDelete');
    const record = this.find(organizationId, holderId, id, true);
    if (!record) return Promise.resolve(null);
    this.records.delete(id);
    return Promise.resolve(record.deletedAt === null ? 'live' : 'soft-deleted');
  }

  private find(organizationId: string, holderId: string, id: string, includeDeleted = false) {
    const record = this.records.get(id);
    if (!record || record.organizationId !== organizationId || record.holderId !== holderId) return undefined;
    return includeDeleted || record.deletedAt === null ? record : undefined;
  }

  private liveForAccount(organizationId: string, accountId: string): boolean {
    return [...this.records.values()].some(
      (record) => record.organizationId === organizationId && record.accountId === accountId && !record.deletedAt,
    );
  }
}
