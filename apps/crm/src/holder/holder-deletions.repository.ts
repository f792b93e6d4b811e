import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { insertUnlessPresent } from '@crm/persistence';

/** What became of one holder deletion attempt, named by its mark: carried out, or cancelled by an alias creation. */
export type DeletionDecision = 'delete' | 'cancel';

interface HolderDeletionRecord {
  _id: string;
  organizationId: string;
  holderId: string;
  kind: 'mark' | 'decision';
  decision?: DeletionDecision;
  createdAt: Date;
}

export const HOLDER_DELETION_MODEL = 'HolderDeletion';

export const HolderDeletionSchema = new Schema<HolderDeletionRecord>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    holderId: { type: String, required: true },
    kind: { type: String, enum: ['mark', 'decision'], required: true },
    decision: { type: String, enum: ['delete', 'cancel'] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'holder_deletions', versionKey: false },
);
// The marks an alias creation reads, and a holder's documents, erased with it.
HolderDeletionSchema.index({ organizationId: 1, holderId: 1, kind: 1 }, { name: 'holder_deletions_org_holder_kind' });

const markId = (mark: string) => `mark:${mark}`;
const decisionId = (mark: string) => `decision:${mark}`;

/**
 * The deletions under way on holders, and what was decided about each. A deletion inserts its mark; the
 * first of a deletion and an alias creation that overlap it to insert the decision for that mark wins,
 * since `_id` is unique. Marks and decisions are documents of their own, each written by an insert and
 * removed by a delete: the one kind of conditional write every supported engine applies atomically
 * (FerretDB does not apply two concurrent conditional updates of one document atomically).
 */
@Injectable()
export class HolderDeletions implements OnModuleInit {
  constructor(@InjectModel(HOLDER_DELETION_MODEL) private readonly deletions: Model<HolderDeletionRecord>) {}

  async onModuleInit(): Promise<void> {
    await this.deletions.createIndexes();
  }

  /** Marks a deletion of the holder as under way; the mark. */
  async mark(organizationId: string, holderId: string): Promise<string> {
    const mark = uuidv7();
    await this.insert({ _id: markId(mark), organizationId, holderId, kind: 'mark', createdAt: new Date() });
    return mark;
  }

  /** The marks of the deletions under way on the holder. */
  async marksOf(organizationId: string, holderId: string): Promise<string[]> {
    const marks = await this.deletions.find({ organizationId, holderId, kind: 'mark' }, { _id: 1 }).lean();
    return marks.map(({ _id }) => _id.slice('mark:'.length));
  }

  /**
   * Records `wanted` for the mark unless a decision is there already: the decision that stands, or
   * undefined when it was there but forgotten since (its attempt is over; the holder's state tells how).
   */
  async settle(
    organizationId: string,
    holderId: string,
    mark: string,
    wanted: DeletionDecision,
  ): Promise<DeletionDecision | undefined> {
    const decision = { organizationId, holderId, kind: 'decision' as const, decision: wanted, createdAt: new Date() };
    if (await this.insert({ _id: decisionId(mark), ...decision })) return wanted;
    return this.decisionOf(organizationId, mark);
  }

  async decisionOf(organizationId: string, mark: string): Promise<DeletionDecision | undefined> {
    const standing = await this.deletions.findOne({ _id: decisionId(mark), organizationId }, { decision: 1 }).lean();
    return standing?.decision;
  }

  /** Takes a cancelled deletion's mark away; its decision stays, for the deletion should it wake up. */
  async unmark(organizationId: string, mark: string): Promise<void> {
    await this.deletions.deleteOne({ _id: markId(mark), organizationId });
  }

  /** Forgets a deletion attempt that its own process gave up: its mark and any decision about it. */
  async withdraw(organizationId: string, mark: string): Promise<void> {
    await this.deletions.deleteMany({ _id: { $in: [markId(mark), decisionId(mark)] }, organizationId });
  }

  /** Forgets every mark and decision of a deleted holder: nothing can be decided about it any more. */
  async forgetHolder(organizationId: string, holderId: string): Promise<void> {
    await this.deletions.deleteMany({ organizationId, holderId });
  }

  private insert(record: HolderDeletionRecord): Promise<boolean> {
    return insertUnlessPresent(this.deletions as unknown as Model<unknown>, { ...record });
  }
}
