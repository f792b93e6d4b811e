import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Schema } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';

/** What became of one holder deletion attempt, named by its mark: carried out, or cancelled by an alias creation. */
export type DeletionDecision = 'delete' | 'cancel';

interface DecisionRecord {
  _id: string;
  organizationId: string;
  holderId: string;
  decision: DeletionDecision;
  createdAt: Date;
}

export const DELETION_DECISION_MODEL = 'HolderDeletionDecision';

export const DeletionDecisionSchema = new Schema<DecisionRecord>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    holderId: { type: String, required: true },
    decision: { type: String, enum: ['delete', 'cancel'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'holder_deletion_decisions', versionKey: false },
);
// A holder's decisions, erased with it.
DeletionDecisionSchema.index({ organizationId: 1, holderId: 1 }, { name: 'deletion_decisions_org_holder' });

/**
 * The one place where a holder deletion and an alias creation that overlaps it settle which of them
 * happens: the first to insert the decision for a deletion's mark wins, since `_id` is unique. An insert
 * is the one conditional write every supported engine applies atomically (FerretDB does not apply two
 * concurrent conditional updates of one document atomically), and a decision, once there, never changes.
 */
@Injectable()
export class DeletionDecisions implements OnModuleInit {
  constructor(@InjectModel(DELETION_DECISION_MODEL) private readonly decisions: Model<DecisionRecord>) {}

  async onModuleInit(): Promise<void> {
    await this.decisions.createIndexes();
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
    try {
      await this.decisions.collection.insertOne({
        _id: mark,
        organizationId,
        holderId,
        decision: wanted,
        createdAt: new Date(),
      } as never);
      return wanted;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const standing = await this.decisions.findOne({ _id: mark, organizationId }, { decision: 1 }).lean();
    return standing?.decision;
  }

  /** Forgets one attempt's decision, once the attempt is over (its mark is gone from the holder). */
  async forget(organizationId: string, mark: string): Promise<void> {
    await this.decisions.deleteOne({ _id: mark, organizationId });
  }

  /** Forgets every decision about a deleted holder: nothing can be decided about it any more. */
  async forgetHolder(organizationId: string, holderId: string): Promise<void> {
    await this.decisions.deleteMany({ organizationId, holderId });
  }
}
