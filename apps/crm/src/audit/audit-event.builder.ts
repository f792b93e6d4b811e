import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import { isLoggableMetadataKey } from '@crm/personal-data';
import type { Actor } from '../auth/access-decision';
import type { RoutePermission } from '../auth/permission';
import type { AuditEvent } from './audit-event.schema';
import type { Reveal } from './reveals';

/** At most this many ids per event (a list page is bounded anyway) and this many field names. */
export const MAX_AUDITED_IDS = 100;
export const MAX_AUDITED_FIELDS = 200;
const MAX_DEPTH = 4;
/** Shown instead of a key that is personal data itself (a metadata key such as a CPF). */
const REDACTED_KEY = '[REDACTED]';

/**
 * The names of the fields a write sets or removes: every key path of the body (a JSON merge patch:
 * `null` removes), arrays as their own path. Names only: no value is read past its type, and a key
 * that is personal data itself (metadata keys are the caller's) is masked.
 */
export function fieldNamesOf(body: unknown): string[] {
  const names: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (names.length >= MAX_AUDITED_FIELDS) return;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth >= MAX_DEPTH) {
      if (prefix) names.push(prefix);
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) names.push(prefix);
    for (const key of keys) {
      const name = isLoggableMetadataKey(key) ? key : REDACTED_KEY;
      walk((value as Record<string, unknown>)[key], prefix ? `${prefix}.${name}` : name, depth + 1);
    }
  };
  walk(body, '', 0);
  return [...new Set(names)].slice(0, MAX_AUDITED_FIELDS).map((name) => name.slice(0, 200));
}

/** What a successful response says about the records it touched: the created or read id, or a page's ids. */
function idsInResponse(payload: unknown): { ids: string[]; count?: number } {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return { ids: [] };
  let parsed: { id?: unknown; holderId?: unknown; items?: unknown };
  try {
    parsed = JSON.parse(payload) as typeof parsed;
  } catch {
    return { ids: [] };
  }
  if (Array.isArray(parsed.items)) {
    const ids = parsed.items.flatMap((item: { id?: unknown; holderId?: unknown }) => [item?.id, item?.holderId]);
    return { ids: ids.filter((id): id is string => typeof id === 'string' && isUuid(id)), count: parsed.items.length };
  }
  return { ids: [parsed.id, parsed.holderId].filter((id): id is string => typeof id === 'string' && isUuid(id)) };
}

export interface AuditedRequest {
  permission: RoutePermission;
  actor?: Actor;
  organizationHeader?: string;
  params: Record<string, string> | undefined;
  body: unknown;
  status: number;
  payload: unknown;
  requestId: string;
  /** The answer was an earlier request's, replayed for its idempotency key. */
  replay?: boolean;
  /** The masked personal data the answer revealed, and why. */
  reveal?: Reveal;
}

/** Builds the event of one finished request. */
export function auditEventOf(request: AuditedRequest): AuditEvent {
  const { permission, status } = request;
  const pathIds = Object.values(request.params ?? {})
    .filter((id) => isUuid(id))
    .map((id) => id.toLowerCase());
  // An answer about the record the path names (read, patch) adds no id: only creations and lists are read.
  const namesItsRecord = request.params?.id !== undefined || request.params?.alias_id !== undefined;
  const response = status < 300 && !namesItsRecord ? idsInResponse(request.payload) : { ids: [] };
  const isWrite = permission.action === 'post' || permission.action === 'patch';
  return {
    _id: uuidv7(),
    time: new Date(),
    organizationId:
      request.organizationHeader && isUuid(request.organizationHeader)
        ? request.organizationHeader.toLowerCase()
        : null,
    actor: request.actor ?? { subject: 'unauthenticated', type: 'unauthenticated' },
    action: `${permission.resource}.${permission.action}`,
    resourceType: permission.resource,
    resourceIds: [...new Set([...pathIds, ...response.ids])].slice(0, MAX_AUDITED_IDS),
    ...(response.count !== undefined ? { count: response.count } : {}),
    outcome: status,
    requestId: request.requestId,
    ...(isWrite ? { fields: fieldNamesOf(request.body) } : {}),
    ...(request.replay === true ? { replay: true } : {}),
    ...(request.reveal ? { revealed: { groups: [...request.reveal.groups], reason: request.reveal.reason } } : {}),
  };
}
