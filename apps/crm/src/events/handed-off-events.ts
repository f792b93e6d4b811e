import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { ChangeEvent, EventBatch, EventSource } from '@crm/events';
import { isDuplicateKeyError } from '@crm/errors';

interface HandedOffEvent {
  _id: string;
  event: ChangeEvent;
}

/**
 * The events of hard-deleted records: a hard delete hands its record's pending events here before the
 * record goes, keyed by event id, so handing off twice (the request and the relay finishing it) stores
 * each once. Published in id order (UUIDv7: the order they were made in) and removed once delivered.
 */
@Injectable()
export class HandedOffEvents implements EventSource {
  readonly name = 'change_events';

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async store(events: ChangeEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.events().insertOne({ _id: event.id, event });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error; // handed off already
      }
    }
  }

  /**
   * Removes the handed-off copies of events just published from their record: a hard delete that handed
   * them off while they were being published would otherwise have them published a second time.
   */
  async forget(events: ChangeEvent[]): Promise<void> {
    await this.events().deleteMany({ _id: { $in: events.map((event) => event.id) } });
  }

  async pending(limit: number): Promise<EventBatch[]> {
    const stored = await this.events()
      .find({}, { sort: { _id: 1 }, limit })
      .toArray();
    return stored.map(({ _id, event }) => ({
      events: [event],
      erasing: false,
      acknowledge: async () => {
        await this.events().deleteOne({ _id });
        return true;
      },
      purge: () => Promise.resolve(),
    }));
  }

  async backlog(): Promise<{ waiting: number; oldestEventId?: string }> {
    const [waiting, oldest] = await Promise.all([
      this.events().estimatedDocumentCount(),
      this.events()
        .find({}, { sort: { _id: 1 }, limit: 1, projection: { _id: 1 } })
        .next(),
    ]);
    return { waiting, oldestEventId: oldest?._id };
  }

  private events() {
    return this.connection.db!.collection<HandedOffEvent>('change_events');
  }
}
