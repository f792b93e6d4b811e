import { randomUUID } from 'node:crypto';
import type { DeletionDecision, HolderDeletions } from '../../apps/crm/src/holder/holder-deletions.repository';

interface Entry {
  organizationId: string;
  holderId: string;
  decision?: DeletionDecision;
}

/**
 * Deletion marks and decisions in memory, one atomic step per insert, read or delete, as the database
 * gives them. `settle` takes two steps, as it does there: the insert, then (when a decision was there)
 * the read, between which the decision may be forgotten.
 */
export class InMemoryHolderDeletions implements Pick<
  HolderDeletions,
  'mark' | 'marksOf' | 'settle' | 'decisionOf' | 'unmark' | 'withdraw' | 'forgetHolder'
> {
  readonly marks = new Map<string, Entry>();
  readonly decisions = new Map<string, Entry>();

  mark(organizationId: string, holderId: string): Promise<string> {
    const mark = randomUUID();
    this.marks.set(mark, { organizationId, holderId });
    return Promise.resolve(mark);
  }

  marksOf(organizationId: string, holderId: string): Promise<string[]> {
    return Promise.resolve(
      [...this.marks].filter(([, entry]) => this.belongs(entry, organizationId, holderId)).map(([mark]) => mark),
    );
  }

  async settle(organizationId: string, holderId: string, mark: string, wanted: DeletionDecision) {
    if (await this.insert(organizationId, holderId, mark, wanted)) return wanted;
    return this.decisionOf(organizationId, mark);
  }

  /** The insert of a decision (named as the repository's own insert, so that it is a step of its own): false when one is there. */
  insert(organizationId: string, holderId: string, mark: string, decision: DeletionDecision) {
    if (this.decisions.has(mark)) return Promise.resolve(false);
    this.decisions.set(mark, { organizationId, holderId, decision });
    return Promise.resolve(true);
  }

  decisionOf(organizationId: string, mark: string): Promise<DeletionDecision | undefined> {
    const entry = this.decisions.get(mark);
    return Promise.resolve(entry?.organizationId === organizationId ? entry.decision : undefined);
  }

  unmark(organizationId: string, mark: string): Promise<void> {
    if (this.marks.get(mark)?.organizationId === organizationId) this.marks.delete(mark);
    return Promise.resolve();
  }

  withdraw(organizationId: string, mark: string): Promise<void> {
    if (this.marks.get(mark)?.organizationId === organizationId) this.marks.delete(mark);
    if (this.decisions.get(mark)?.organizationId === organizationId) this.decisions.delete(mark);
    return Promise.resolve();
  }

  forgetHolder(organizationId: string, holderId: string): Promise<void> {
    for (const store of [this.marks, this.decisions])
      for (const [mark, entry] of [...store]) if (this.belongs(entry, organizationId, holderId)) store.delete(mark);
    return Promise.resolve();
  }

  private belongs(entry: Entry, organizationId: string, holderId: string): boolean {
    return entry.organizationId === organizationId && entry.holderId === holderId;
  }
}
