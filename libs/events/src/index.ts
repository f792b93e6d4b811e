export {
  ALL_TOPICS,
  changeEvent,
  cloudEventHeaders,
  DEFAULT_TENANT,
  eventTime,
  goJson,
  topicOf,
  wholeSeconds,
} from './change-event';
export type { ChangeEvent, EventDraft, EventKind, EventResource } from './change-event';
export { outboxPlugin, RecordOutbox } from './outbox';
export type { EventBatch, EventSource } from './outbox';
export { oneWriteAtATime } from './record-writes';
