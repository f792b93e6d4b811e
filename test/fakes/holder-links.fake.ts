import { randomUUID } from 'node:crypto';
import { CrmException } from '@crm/errors';
import { cpf } from '../factories/documents';
import type { HolderLinks } from '../../apps/crm/src/holder/holder-links';

interface FakeHolder {
  id: string;
  organizationId: string;
  type: 'NATURAL_PERSON' | 'LEGAL_PERSON';
  document: string;
  live: boolean;
  liveAliasCount: number;
}

const holderNotFound = () => new CrmException('CRM-0006', { entityType: 'Holder' });

/**
 * HolderLinks (what alias accounts may ask of holders) in memory: is it live, reserve, keep and release an
 * alias slot. A slot is kept while its holder is live (here nothing deletes a holder that counts one,
 * unless a test marks it not live, as a correction and a deletion would).
 */
export class FakeHolderLinks implements Pick<
  HolderLinks,
  'requireLive' | 'reserveAlias' | 'keepAlias' | 'beginAliasRemoval' | 'releaseAlias' | 'abandonAlias'
> {
  readonly holders = new Map<string, FakeHolder>();

  constructor(private readonly journal: string[] = []) {}

  /** A live holder of the organization, with no alias yet. */
  add(organizationId: string, type: FakeHolder['type'] = 'NATURAL_PERSON'): FakeHolder {
    const holder: FakeHolder = {
      id: randomUUID(),
      organizationId,
      type,
      document: cpf(),
      live: true,
      liveAliasCount: 0,
    };
    this.holders.set(holder.id, holder);
    return holder;
  }

  /** HolderLinks.requireLive: 404 CRM-0006 unless live. */
  requireLive(tenant: { organizationId: string }, holderId: string): Promise<void> {
    this.journal.push('holders.requireLive');
    return this.live(tenant, holderId) ? Promise.resolve() : Promise.reject(holderNotFound());
  }

  reserveAlias(tenant: { organizationId: string }, holderId: string) {
    this.journal.push('holders.reserveAlias');
    const holder = this.live(tenant, holderId);
    if (!holder) return Promise.reject(holderNotFound());
    holder.liveAliasCount += 1;
    return Promise.resolve({
      holder: this.record(holder),
      slot: { holderId, reservedAt: Date.now(), reservedVersion: 1 },
    });
  }

  keepAlias(tenant: { organizationId: string }, slot: { holderId: string }): Promise<boolean> {
    this.journal.push('holders.keepAlias');
    return Promise.resolve(this.live(tenant, slot.holderId) !== undefined);
  }

  beginAliasRemoval(_tenant: { organizationId: string }, holderId: string): Promise<{ holderId: string }> {
    this.journal.push('holders.beginAliasRemoval');
    return Promise.resolve({ holderId });
  }

  releaseAlias(tenant: { organizationId: string }, slot: { holderId: string }): Promise<void> {
    this.journal.push('holders.releaseAlias');
    this.lower(tenant, slot.holderId);
    return Promise.resolve();
  }

  abandonAlias(tenant: { organizationId: string }, slot: { holderId: string }): Promise<void> {
    this.journal.push('holders.abandonAlias');
    this.lower(tenant, slot.holderId);
    return Promise.resolve();
  }

  private lower(tenant: { organizationId: string }, holderId: string): void {
    const holder = this.holders.get(holderId);
    if (holder && holder.organizationId === tenant.organizationId) holder.liveAliasCount -= 1;
  }

  private live(tenant: { organizationId: string }, holderId: string): FakeHolder | undefined {
    const holder = this.holders.get(holderId);
    return holder && holder.live && holder.organizationId === tenant.organizationId ? holder : undefined;
  }

  /** What HolderLinks hands back: a LinkedHolder. */
  private record(holder: FakeHolder) {
    return { id: holder.id, type: holder.type, document: holder.document };
  }
}
