import { Global, Module } from '@nestjs/common';
import { ChangeEvents } from './change-events';
import { HandedOffEvents } from './handed-off-events';
import { OutboxRelay } from './outbox-relay';

/**
 * Change events, the original's CloudEvents on Kafka, never lost: writes store them in their record's
 * outbox (ChangeEvents), the relay publishes them (OutboxRelay). Off unless STREAMING_ENABLED.
 */
@Global()
@Module({
  providers: [ChangeEvents, HandedOffEvents, OutboxRelay],
  exports: [ChangeEvents, OutboxRelay],
})
export class EventsModule {}
