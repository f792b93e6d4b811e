import type { DeletionDecision, DeletionDecisions } from '../../apps/crm/src/holder/deletion-decisions.repository';

/** Deletion decisions in memory: the first decision recorded for a mark stands, as the unique `_id` makes it. */
export class InMemoryDeletionDecisions implements Pick<DeletionDecisions, 'settle' | 'forget' | 'forgetHolder'> {
  readonly decisions = new Map<string, { organizationId: string; holderId: string; decision: DeletionDecision }>();

  settle(organizationId: string, holderId: string, mark: string, wanted: DeletionDecision) {
    const standing = this.decisions.get(mark);
    if (standing) return Promise.resolve(standing.organizationId === organizationId ? standing.decision : undefined);
    this.decisions.set(mark, { organizationId, holderId, decision: wanted });
    return Promise.resolve<DeletionDecision | undefined>(wanted);
  }

  forget(organizationId: string, mark: string): Promise<void> {
    if (this.decisions.get(mark)?.organizationId === organizationId) this.decisions.delete(mark);
    return Promise.resolve();
  }

  forgetHolder(organizationId: string, holderId: string): Promise<void> {
    for (const [mark, standing] of [...this.decisions])
      if (standing.organizationId === organizationId && standing.holderId === holderId) this.decisions.delete(mark);
    return Promise.resolve();
  }
}
