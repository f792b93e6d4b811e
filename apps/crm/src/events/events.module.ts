import { Global, Module } from '@nestjs/common';
import { ChangeEvents } from './change-events';
import { HandedOffEvents } from './handed-off-events';
import { OutboxRelay } from './outbox-relay';
import { OutboxSources } from './outbox-sources';

/**
 * What writes need to store change events (ChangeEvents) and to offer their collections to a relay
 * (OutboxSources). The operator CLI has this without the relay: it publishes nothing.
 */
@Global()
@Module({
  providers: [ChangeEvents, HandedOffEvents, OutboxSources],
  exports: [ChangeEvents, OutboxSources, HandedOffEvents],
})
export class ChangeEventsModule {}

/**
 * Change events, the original's CloudEvents on Kafka, never lost: writes store them in their record's
 * outbox (ChangeEvents), the relay publishes them (OutboxRelay). Off unless STREAMING_ENABLED.
 */
@Global()
@Module({
  imports: [ChangeEventsModule],
  providers: [OutboxRelay],
  exports: [OutboxRelay],
})
export class EventsModule {}
