import { v7 as uuidv7 } from 'uuid';

/** The records that have change events, and what happened to them (the original's resource and event names). */
export type EventResource = 'holder' | 'alias';
export type EventKind = 'created' | 'updated' | 'deleted' | 'related-party-deleted';

/**
 * A change event as the write that makes the change stores it (in the record's outbox), ready to publish:
 * everything the CloudEvents headers and the Kafka record need except what configuration gives at
 * publish time (the source). Its id is the `ce-id`: the same at every redelivery.
 */
export interface ChangeEvent {
  id: string;
  resource: EventResource;
  event: EventKind;
  subject: string;
  /** `ce-time`: RFC 3339, the fraction's trailing zeros trimmed. */
  time: string;
  tenantId: string;
  traceparent: string;
  /** The Kafka record's value: the payload as compact JSON, encoded as Go's encoding/json does. */
  data: string;
}

/** Single-tenant deployments use the original's tenant id; it is also the Kafka record's key. */
export const DEFAULT_TENANT = 'default';

/** The original's topic: `lerian.streaming.crm_<resource>.<event>`, dashes as underscores. */
export function topicOf(event: Pick<ChangeEvent, 'resource' | 'event'>): string {
  return `lerian.streaming.crm_${event.resource}.${event.event.replaceAll('-', '_')}`;
}

/** Every topic the service writes to (created up front when missing). */
export const ALL_TOPICS: readonly string[] = (
  [
    ['holder', 'created'],
    ['holder', 'updated'],
    ['holder', 'deleted'],
    ['alias', 'created'],
    ['alias', 'updated'],
    ['alias', 'deleted'],
    ['alias', 'related-party-deleted'],
  ] as const
).map(([resource, event]) => topicOf({ resource, event }));

/** The CloudEvents binary-mode headers, in the original's order and spelling. */
export function cloudEventHeaders(event: ChangeEvent, source: string): Array<[string, string]> {
  return [
    ['ce-specversion', '1.0'],
    ['ce-id', event.id],
    ['ce-source', source],
    ['ce-type', `studio.lerian.${event.resource}.${event.event}`],
    ['ce-time', event.time],
    ['ce-schemaversion', '1.0.0'],
    ['ce-resourcetype', event.resource],
    ['ce-eventtype', event.event],
    ['ce-subject', event.subject],
    ['ce-datacontenttype', 'application/json'],
    ['ce-tenantid', event.tenantId],
    ['traceparent', event.traceparent],
  ];
}

/**
 * Compact JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped, so that a
 * consumer comparing bytes with the original's messages sees the same value.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** RFC 3339 with whole seconds, as the payloads' timestamps are. */
export function wholeSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with the fraction's trailing zeros trimmed (Go's RFC3339Nano), as `ce-time` is. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.?0*Z$/, 'Z');
}

/** What an event is about, before the id, trace and encoding are given to it. */
export interface EventDraft {
  resource: EventResource;
  event: EventKind;
  subject: string;
  at: Date;
  payload: Record<string, unknown>;
}

/** A draft made a ChangeEvent: a new id, the request's trace, the payload encoded. */
export function changeEvent(draft: EventDraft, traceparent: string): ChangeEvent {
  return {
    id: uuidv7(),
    resource: draft.resource,
    event: draft.event,
    subject: draft.subject,
    time: eventTime(draft.at),
    tenantId: DEFAULT_TENANT,
    traceparent,
    data: goJson(draft.payload),
  };
}
