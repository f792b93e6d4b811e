import { Injectable } from '@nestjs/common';
import type { EventSource } from '@crm/events';
import { HandedOffEvents } from './handed-off-events';

/**
 * Where events wait to be published: each module with an outbox registers its collection here. The
 * records' outboxes come first, the handed-off events last: a hard delete a crash left marked is finished
 * (its events handed off again, which stores each once) before the handed-off events are published and
 * removed, so a hard delete that died after handing off is not published twice.
 */
@Injectable()
export class OutboxSources {
  private readonly records: EventSource[] = [];

  constructor(private readonly handedOff: HandedOffEvents) {}

  register(source: EventSource): void {
    this.records.push(source);
  }

  all(): EventSource[] {
    return [...this.records, this.handedOff];
  }
}
