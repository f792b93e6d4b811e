import { randomUUID } from 'node:crypto';
import { canonicalIdentifier } from '@crm/documents';
import { CrmException } from '@crm/errors';
import { applyPatchInPlace } from './merge-patch';
import type { HolderRepository, NewHolder } from '../../apps/crm/src/holder/holder.repository';
import type { HolderRecord } from '../../apps/crm/src/holder/holder.schema';

/** The part of HolderRepository that the holder rules use (listing is the database's business). */
export type HolderStore = Pick<
  HolderRepository,
  | 'documentNeedsPreCheck'
  | 'create'
  | 'findById'
  | 'existsActiveWithDocument'
  | 'applyPatch'
  | 'reserveAliasSlot'
  | 'releaseAliasSlot'
  | 'restoreAliasStamp'
  | 'keepAliasSlot'
  | 'aliasRecountsOf'
  | 'hasLiveAliases'
  | 'resetAliasSlots'
  | 'softDeleteWithoutLiveAliases'
  | 'erase'
>;

/** What the blind index compares: the canonical document, as the repository's normalizer makes it. */
const documentKey = (document: string) => canonicalIdentifier(document);

/**
 * Holders in memory, with the guarantees the real repository gets from MongoDB: one live holder per
 * document and organization (CRM-0010, as the unique index answers), and the live-alias counter and the
 * deletion changing in one step. Records are copied in and out, as a database would.
 */
export class InMemoryHolderRepository implements HolderStore {
  documentNeedsPreCheck = false;
  readonly records = new Map<string, HolderRecord>();
  readonly erased: string[] = [];
  /** Live aliases per holder id, as the alias collection would hold them (tests set it). */
  readonly liveAliases = new Map<string, number>();

  create(organizationId: string, holder: NewHolder): Promise<HolderRecord> {
    if (this.liveWithDocument(organizationId, holder.document))
      return Promise.reject(new CrmException('CRM-0010', { entityType: 'Holder' }));
    const now = new Date();
    const record: HolderRecord = {
      ...structuredClone(holder),
      _id: randomUUID(),
      organizationId,
      liveAliasCount: 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    this.records.set(record._id, record);
    return Promise.resolve(structuredClone(record));
  }

  findById(organizationId: string, id: string, options: { includeDeleted?: boolean } = {}) {
    const record = this.find(organizationId, id, options.includeDeleted);
    return Promise.resolve(record ? structuredClone(record) : null);
  }

  existsActiveWithDocument(organizationId: string, document: string): Promise<boolean> {
    return Promise.resolve(this.liveWithDocument(organizationId, document));
  }

  applyPatch(
    organizationId: string,
    id: string,
    patch: Record<string, unknown>,
    check?: (current: HolderRecord) => void,
  ): Promise<HolderRecord | null> {
    return Promise.resolve().then(() => {
      const record = this.find(organizationId, id);
      if (!record) return null;
      check?.(structuredClone(record));
      applyPatchInPlace(record, patch);
      record.updatedAt = new Date();
      return structuredClone(record);
    });
  }

  reserveAliasSlot(organizationId: string, id: string, at: Date) {
    const record = this.find(organizationId, id);
    const before = record ? structuredClone(record) : null;
    if (record) this.bookkeep(record, 1, { aliasChangeStartedAt: at });
    return Promise.resolve(before);
  }

  restoreAliasStamp(
    organizationId: string,
    id: string,
    { stamped, version, previous }: { stamped: Date; version: number; previous: Date | undefined },
  ): Promise<void> {
    const record = this.find(organizationId, id, true);
    const untouched =
      record?.aliasChangeStartedAt?.getTime() === stamped.getTime() && record.aliasCountVersion === version;
    if (untouched) record.aliasChangeStartedAt = previous;
    return Promise.resolve();
  }

  releaseAliasSlot(organizationId: string, id: string, recounts: number | undefined) {
    const record = this.find(organizationId, id, true);
    const uncorrected = (record?.aliasRecounts ?? null) === (recounts ?? null);
    if (record && record.liveAliasCount > 0 && uncorrected) this.bookkeep(record, -1);
    return Promise.resolve();
  }

  keepAliasSlot(organizationId: string, id: string, recounts: number | undefined): Promise<boolean> {
    const record = this.find(organizationId, id);
    const kept = record !== undefined && record.aliasRecounts === recounts;
    if (kept) this.bookkeep(record, 0);
    return Promise.resolve(kept);
  }

  aliasRecountsOf(organizationId: string, id: string): Promise<number | undefined> {
    return Promise.resolve(this.find(organizationId, id, true)?.aliasRecounts);
  }

  hasLiveAliases(_organizationId: string, id: string): Promise<boolean> {
    return Promise.resolve((this.liveAliases.get(id) ?? 0) > 0);
  }

  resetAliasSlots(organizationId: string, seen: HolderRecord): Promise<boolean> {
    const record = this.find(organizationId, seen._id);
    const unchanged =
      record?.liveAliasCount === seen.liveAliasCount && record.aliasCountVersion === seen.aliasCountVersion;
    if (unchanged) {
      this.bookkeep(record, -record.liveAliasCount);
      record.aliasRecounts = (record.aliasRecounts ?? 0) + 1;
    }
    return Promise.resolve(unchanged);
  }

  /** A change of the live-alias counter: the count moves by `by`, the version by one. */
  private bookkeep(record: HolderRecord, by: number, stamps: Partial<HolderRecord> = {}): void {
    Object.assign(record, stamps);
    record.liveAliasCount += by;
    record.aliasCountVersion = (record.aliasCountVersion ?? 0) + 1;
  }

  softDeleteWithoutLiveAliases(organizationId: string, id: string): Promise<boolean> {
    const record = this.find(organizationId, id);
    if (!record || record.liveAliasCount > 0) return Promise.resolve(false);
    record.deletedAt = new Date();
    return Promise.resolve(true);
  }

  erase(organizationId: string, id: string): Promise<void> {
    if (this.find(organizationId, id, true)) {
      this.records.delete(id);
      this.erased.push(id);
    }
    return Promise.resolve();
  }

  private find(organizationId: string, id: string, includeDeleted = false): HolderRecord | undefined {
    const record = this.records.get(id);
    if (!record || record.organizationId !== organizationId) return undefined;
    return includeDeleted || record.deletedAt === null ? record : undefined;
  }

  private liveWithDocument(organizationId: string, document: string): boolean {
    return [...this.records.values()].some(
      (record) =>
        record.organizationId === organizationId &&
        record.deletedAt === null &&
        documentKey(record.document) === documentKey(document),
    );
  }
}
