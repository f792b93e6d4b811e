import { randomUUID } from 'node:crypto';
import { canonicalIdentifier } from '@crm/documents';
import { CrmException } from '@crm/errors';
import { applyPatchInPlace } from './merge-patch';
import type { HolderRepository, NewHolder } from '../../apps/crm/src/holder/holder.repository';
import type { HolderRecord } from '../../apps/crm/src/holder/holder.schema';

/** The part of HolderRepository that the holder rules use (listing is the database's business). */
export type HolderStore = Pick<
  HolderRepository,
  'create' | 'findById' | 'applyPatch' | 'stateOf' | 'softDelete' | 'erase'
>;

/** What the blind index compares: the canonical document, as the repository's normalizer makes it. */
const documentKey = (document: string) => canonicalIdentifier(document);

/**
 * Holders in memory, each call one atomic step, with the guarantee the real repository gets from the
 * unique index: one live holder per document and organization (CRM-0010). Records are copied in and out,
 * as a database would.
 */
export class InMemoryHolderRepository implements HolderStore {
  readonly records = new Map<string, HolderRecord>();
  readonly erased: string[] = [];

  create(organizationId: string, holder: NewHolder): Promise<HolderRecord> {
    if (this.liveWithDocument(organizationId, holder.document))
      return Promise.reject(new CrmException('CRM-0010', { entityType: 'Holder' }));
    const now = new Date();
    const record: HolderRecord = {
      ...structuredClone(holder),
      _id: randomUUID(),
      organizationId,
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

  stateOf(organizationId: string, id: string): Promise<'live' | 'deleted' | undefined> {
    const record = this.find(organizationId, id, true);
    return Promise.resolve(record ? (record.deletedAt === null ? 'live' : 'deleted') : undefined);
  }

  softDelete(organizationId: string, id: string): Promise<boolean> {
    const record = this.find(organizationId, id);
    if (record) record.deletedAt = new Date();
    return Promise.resolve(record !== undefined);
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
