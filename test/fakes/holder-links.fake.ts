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
}

const holderNotFound = () => new CrmException('CRM-0006', { entityType: 'Holder' });

/**
 * HolderLinks (what alias accounts may ask of holders) in memory: is it live (and what an alias copies),
 * and may a written alias be confirmed (while its holder is live). The real protocol against deletions
 * runs in holder-alias-protocol.spec.ts; here a test marks a holder not live, as a deletion would.
 */
export class FakeHolderLinks implements Pick<HolderLinks, 'requireLive' | 'claimLink'> {
  readonly holders = new Map<string, FakeHolder>();

  constructor(private readonly journal: string[] = []) {}

  /** A live holder of the organization. */
  add(organizationId: string, type: FakeHolder['type'] = 'NATURAL_PERSON'): FakeHolder {
    const holder: FakeHolder = { id: randomUUID(), organizationId, type, document: cpf(), live: true };
    this.holders.set(holder.id, holder);
    return holder;
  }

  requireLive(tenant: { organizationId: string }, holderId: string) {
    this.journal.push('holders.requireLive');
    const holder = this.live(tenant, holderId);
    if (!holder) return Promise.reject(holderNotFound());
    return Promise.resolve({ id: holder.id, type: holder.type, document: holder.document });
  }

  claimLink(tenant: { organizationId: string }, holderId: string): Promise<boolean> {
    this.journal.push('holders.claimLink');
    return Promise.resolve(this.live(tenant, holderId) !== undefined);
  }

  private live(tenant: { organizationId: string }, holderId: string): FakeHolder | undefined {
    const holder = this.holders.get(holderId);
    return holder && holder.live && holder.organizationId === tenant.organizationId ? holder : undefined;
  }
}
