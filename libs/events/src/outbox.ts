// Types only: telemetry loads modules that load this one, and the MongoDB driver must be loaded after
// telemetry has started, or its calls go untraced.
import type { mongo, Schema } from 'mongoose';
import type { ChangeEvent } from './change-event';
import { oneWriteAtATime } from './record-writes';

/** A record as the relay sees it: its id, the events its writes stored and not yet published, and whether it is being erased. */
interface OutboxRecord {
  _id: string;
  outbox?: ChangeEvent[];
  erasing?: boolean;
}

/** Events waiting to be published, in order, and what to do once they are (or, for an erasure, instead). */
export interface EventBatch {
  events: ChangeEvent[];
  /** A hard delete under way: its events are to be handed off and the record purged, not published from it. */
  erasing: boolean;
  /**
   * After the events are published: forget them. False when they are still there (nothing matched them
   * in a record that still exists): the relay pauses rather than publish them again at once, in a loop.
   */
  acknowledge(): Promise<boolean>;
  /** After an erasure's events were handed off: remove the record. */
  purge(): Promise<void>;
}

/** Where the relay finds events to publish, and how many wait there. */
export interface EventSource {
  readonly name: string;
  pending(limit: number): Promise<EventBatch[]>;
  backlog(): Promise<{ waiting: number; oldestEventId?: string }>;
}

/** Matches the records that hold events: a range on the outbox index (records without one have no key in it). */
const HOLDS_EVENTS = { 'outbox.id': { $gt: '' } };

/**
 * Gives a schema its outbox: the change events that the record's own writes store beside the change (the
 * same single-document write, so an event exists exactly when its change does), until the relay has
 * published them; and the `erasing` mark of a hard delete under way (docs/adr/0007-change-events.md).
 */
export function outboxPlugin(schema: Schema): void {
  // `[{}]`: an array of mixed values (events as stored), said without loading Mongoose here.
  schema.add({ outbox: { type: [{}], default: undefined }, erasing: Boolean });
  schema.index({ 'outbox.id': 1 }, { name: `${String(schema.get('collection'))}_outbox` });
}

/** The pending events of one collection whose schema has the outbox, for the relay. */
export class RecordOutbox implements EventSource {
  constructor(
    readonly name: string,
    collection: mongo.Collection,
  ) {
    this.collection = collection as unknown as mongo.Collection<OutboxRecord>;
  }

  private readonly collection: mongo.Collection<OutboxRecord>;

  /** Up to `limit` records holding events, each with its events in the order of its changes. */
  async pending(limit: number): Promise<EventBatch[]> {
    const records = await this.collection
      .find(HOLDS_EVENTS, { projection: { outbox: 1, erasing: 1 }, limit })
      .toArray();
    return records.map((record) => this.batchOf(record));
  }

  private batchOf({ _id, outbox = [], erasing = false }: OutboxRecord): EventBatch {
    return {
      events: outbox,
      erasing,
      // Only the published events go (each removed by its whole value, which every engine matches): those
      // a later write of the record added meanwhile stay.
      acknowledge: () =>
        oneWriteAtATime(this.collection.collectionName, _id, async () => {
          const { matchedCount, modifiedCount } = await this.collection.updateOne({ _id }, { $pullAll: { outbox } });
          return matchedCount === 0 || modifiedCount > 0;
        }),
      purge: async () => {
        await this.collection.deleteOne({ _id, erasing: true });
      },
    };
  }

  /** How many records hold events, and the id of the oldest event among them (UUIDv7: it tells its age). */
  async backlog(): Promise<{ waiting: number; oldestEventId?: string }> {
    const [waiting, oldest] = await Promise.all([
      this.collection.countDocuments(HOLDS_EVENTS),
      this.collection.find(HOLDS_EVENTS, { projection: { outbox: 1 }, sort: { 'outbox.id': 1 }, limit: 1 }).next(),
    ]);
    return { waiting, oldestEventId: oldest?.outbox?.[0]?.id };
  }
}
