import { Schema } from 'mongoose';

export const AUDIT_EVENT_MODEL = 'AuditEvent';
export const AUDIT_EVENTS_COLLECTION = 'audit_events';

/**
 * One request to a business route, after its outcome is known. Names only: ids, field NAMES and the
 * actor's subject, never a field value. Appended, never updated.
 */
export interface AuditEvent {
  _id: string;
  time: Date;
  /** The request's X-Organization-Id when it was a UUID; null otherwise (the request was refused). */
  organizationId: string | null;
  actor: { subject: string; type: string };
  /** `<resource>.<action>`, e.g. `holders.get`, `aliases.patch`. */
  action: string;
  resourceType: string;
  /** Ids the request named or returned (path ids, created id, listed ids, capped). */
  resourceIds: string[];
  /** For lists: how many items were returned. */
  count?: number;
  /** The HTTP status answered. */
  outcome: number;
  requestId: string;
  /** For writes: the names (paths) of the fields the request set or removed. */
  fields?: string[];
  /** Set when the answer was the stored answer of an earlier request with the same idempotency key: nothing ran. */
  replay?: true;
  /** Set when the answer revealed masked personal data: which field groups, and the reason stated for it. */
  revealed?: { groups: string[]; reason: string };
}

export const AuditEventSchema = new Schema<AuditEvent>(
  {
    _id: { type: String, required: true },
    time: { type: Date, required: true },
    organizationId: { type: String, default: null },
    actor: { subject: { type: String, required: true }, type: { type: String, required: true } },
    action: { type: String, required: true },
    resourceType: { type: String, required: true },
    resourceIds: { type: [String], default: [] },
    count: { type: Number },
    outcome: { type: Number, required: true },
    requestId: { type: String, required: true },
    fields: { type: [String], default: undefined },
    replay: { type: Boolean },
    revealed: { type: { groups: [String], reason: String }, default: undefined },
  },
  { collection: AUDIT_EVENTS_COLLECTION, versionKey: false },
);

// "Who read or changed this holder": GET /v1/audit-events?resource_id=… within an organization, by time.
AuditEventSchema.index({ organizationId: 1, resourceIds: 1, time: 1 });
// The organization's trail by time (date windows, actor filter) and the retention purge.
AuditEventSchema.index({ organizationId: 1, time: 1 });
