import type { mongo } from 'mongoose';

export type StoredRecord = mongo.Document & { _id: string };
type Collection<T extends mongo.Document> = mongo.Collection<T>;

/** Progress of one pass over one collection, for a progress bar or periodic lines. */
export interface ScanProgress {
  collection: string;
  done: number;
  total: number;
}

export type ProgressListener = (progress: ScanProgress) => void;

/**
 * Walks a collection in `_id` order (UUIDv7: creation order) in batches, resuming after `afterId`.
 * Keyset paging: records inserted meanwhile are met at the end, none is visited twice.
 */
export async function* batchesOf(
  collection: Collection<StoredRecord>,
  batchSize: number,
  afterId?: string,
): AsyncGenerator<StoredRecord[]> {
  let lastId = afterId;
  for (;;) {
    const batch = await collection
      .find(lastId === undefined ? {} : { _id: { $gt: lastId } })
      .sort({ _id: 1 })
      .limit(batchSize)
      .toArray();
    if (batch.length === 0) return;
    yield batch;
    lastId = batch[batch.length - 1]._id;
  }
}

/** At most `perSecond` calls of `take` go through per second (no limit when undefined). */
export class RateLimit {
  private nextSlot = Date.now();

  constructor(private readonly perSecond?: number) {}

  async take(): Promise<void> {
    if (!this.perSecond) return;
    const now = Date.now();
    const wait = this.nextSlot - now;
    this.nextSlot = Math.max(now, this.nextSlot) + 1000 / this.perSecond;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
