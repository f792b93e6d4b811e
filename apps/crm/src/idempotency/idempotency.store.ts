import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertUnlessPresent } from '@crm/persistence';
import type { IdempotencyEntry } from './idempotency-entry';
import { IDEMPOTENCY_MODEL } from './idempotency.schema';

/** How often expired entries are removed where the engine has no TTL index (FerretDB 1.24). */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** A claim as first written: everything but the answer. */
export type NewClaim = Omit<IdempotencyEntry, 'status' | 'answer' | 'completedAt'>;

/**
 * The `idempotency_keys` collection. A key is claimed by an insert, which the unique `_id` decides among
 * concurrent claimers on every supported engine (FerretDB does not apply concurrent conditional updates of
 * one document atomically, so no race is decided by an update). Completions and releases are conditional
 * on the claimer's token: a request whose claim was taken over writes nothing.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyStore');
  private sweeper?: NodeJS.Timeout;

  constructor(@InjectModel(IDEMPOTENCY_MODEL) private readonly entries: Model<IdempotencyEntry>) {}

  /**
   * Creates the TTL index. An engine without TTL indexes (FerretDB 1.24 refuses `expireAfterSeconds`) gets a
   * periodic sweep instead; either way expired entries count as absent when read (see judge).
   */
  async onModuleInit(): Promise<void> {
    const indexed = await this.entries.createIndexes().then(
      () => true,
      (error: Error) => {
        this.logger.warn({ errorName: error.name }, 'idempotency_keys: no TTL index; expired entries are swept');
        return false;
      },
    );
    if (!indexed) this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Removes every expired entry (what the TTL index does where there is one); how many went. */
  async sweep(): Promise<number> {
    try {
      return (await this.entries.deleteMany({ expiresAt: { $lte: new Date() } })).deletedCount;
    } catch (error) {
      this.logger.warn({ errorName: (error as Error)?.name }, 'idempotency_keys: sweep failed');
      return 0;
    }
  }

  /** Inserts the claim; false when an entry with its id exists (claimed by another request, or answered). */
  claim(entry: NewClaim): Promise<boolean> {
    return insertUnlessPresent(this.entries as unknown as Model<unknown>, { ...entry });
  }

  /**
   * Decides which of several requests takes over a stale or expired claim: the one whose insert of a
   * takeover mark for that claim's token succeeds (a mark's id is the entry's id and the token, so it
   * never meets an entry's). Only the winner then removes the old claim: the removal is conditional on the
   * token, but an engine that does not apply it atomically (FerretDB) must not see two of them at once.
   */
  takeOver(organizationId: string, id: string, staleClaim: string, expiresAt: Date): Promise<boolean> {
    const mark = { _id: `${id}.${staleClaim}`, organizationId, state: 'takeover', claimedAt: new Date(), expiresAt };
    return insertUnlessPresent(this.entries as unknown as Model<unknown>, mark);
  }

  /** The entry, its answer opened by the crypto plugin; null when the organization has none with this id. */
  read(organizationId: string, id: string): Promise<IdempotencyEntry | null> {
    return this.entries.findOne({ _id: id, organizationId }).lean<IdempotencyEntry>();
  }

  /** Removes the entry if it still holds this claim. */
  async release(organizationId: string, id: string, claim: string): Promise<boolean> {
    return (await this.entries.deleteOne({ _id: id, organizationId, claim })).deletedCount > 0;
  }

  /** Stores the answer (sealed by the crypto plugin) if the entry still holds this claim. */
  async complete(
    organizationId: string,
    id: string,
    claim: string,
    done: { status: number; answer: string; expiresAt: Date },
  ): Promise<boolean> {
    const update = { $set: { state: 'done', ...done, completedAt: new Date() } };
    return (await this.entries.updateOne({ _id: id, organizationId, claim }, update)).matchedCount > 0;
  }
}
