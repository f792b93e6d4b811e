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
  | 'createPending'
  | 'confirm'
  | 'withdraw'
  | 'linksHolder'
  | 'removePendingBefore'
  | 'eraseOfHolder'
  | 'findById'
  | 'applyPatch'
  | 'removeRelatedParty'
  | 'softDelete'
  | 'hardDelete'
>;

/**
 * Alias accounts in memory, each call one atomic step, with the guarantee the real repository gets from
 * its unique index: one live alias, confirmed or pending, per account and organization (CRM-0013).
 * Pending aliases are invisible to reads and writes by id. `failNextCreate` makes the next write fail, as
 * a lost race or a database outage would after the checks passed.
 */
export class InMemoryAliasAccountRepository implements AliasAccountStore {
  readonly records = new Map<string, AliasAccountRecord>();
  private nextCreateFailure?: Error;

  constructor(private readonly journal: string[] = []) {}

  failNextCreate(error: Error): void {
    this.nextCreateFailure = error;
  }

  createPending(organizationId: string, alias: NewAliasAccount, pending: string): Promise<AliasAccountRecord> {
    return Promise.resolve().then(() => {
      this.journal.push('aliases.createPending');
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
      this.records.set(record._id, { ...structuredClone(record), pending });
      return record;
    });
  }

  confirm(created: AliasAccountRecord, pending: string): Promise<boolean> {
    this.journal.push('aliases.confirm');
    const record = this.records.get(created._id);
    const found =
      record?.organizationId === created.organizationId &&
      record.holderId === created.holderId &&
      record.pending === pending;
    if (found) delete record.pending;
    return Promise.resolve(found);
  }

  withdraw(organizationId: string, holderId: string, id: string, pending: string): Promise<void> {
    this.journal.push('aliases.withdraw');
    const record = this.records.get(id);
    if (record?.organizationId === organizationId && record.holderId === holderId && record.pending === pending)
      this.records.delete(id);
    return Promise.resolve();
  }

  linksHolder(organizationId: string, holderId: string): Promise<boolean> {
    return Promise.resolve(
      [...this.records.values()].some(
        (record) => record.organizationId === organizationId && record.holderId === holderId && !record.deletedAt,
      ),
    );
  }

  removePendingBefore(
    organizationId: string,
    of: { holderId: string } | { accountId: string },
    before: Date,
  ): Promise<void> {
    const [field, value] = Object.entries(of)[0] as ['holderId' | 'accountId', string];
    for (const record of [...this.records.values()])
      if (
        record.organizationId === organizationId &&
        record[field] === value &&
        record.pending !== undefined &&
        record.createdAt < before
      )
        this.records.delete(record._id);
    return Promise.resolve();
  }

  eraseOfHolder(organizationId: string, holderId: string): Promise<void> {
    for (const record of [...this.records.values()])
      if (record.organizationId === organizationId && record.holderId === holderId) this.records.delete(record._id);
    return Promise.resolve();
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

  softDelete(organizationId: string, holderId: string, id: string): Promise<boolean> {
    const record = this.find(organizationId, holderId, id);
    if (record) record.deletedAt = new Date();
    return Promise.resolve(record !== undefined);
  }

  hardDelete(organizationId: string, holderId: string, id: string): Promise<boolean> {
    this.journal.push('aliases.hardDelete');
    const record = this.find(organizationId, holderId, id, true);
    if (record) this.records.delete(id);
    return Promise.resolve(record !== undefined);
  }

  private find(organizationId: string, holderId: string, id: string, includeDeleted = false) {
    const record = this.records.get(id);
    if (!record || record.organizationId !== organizationId || record.holderId !== holderId) return undefined;
    if (record.pending !== undefined) return undefined;
    return includeDeleted || record.deletedAt === null ? record : undefined;
  }

  private liveForAccount(organizationId: string, accountId: string): boolean {
    return [...this.records.values()].some(
      (record) => record.organizationId === organizationId && record.accountId === accountId && !record.deletedAt,
    );
  }
}
