import { validate as isUuid } from 'uuid';
import { isValidPagingValue } from '@crm/http';
import { isLoggableMetadataKey, personalDataKindIn } from '@crm/personal-data';
import { ROUTE_TEMPLATES } from './route-templates';

/** Shown instead of a value that may carry personal data (documents, metadata values, search terms). */
export const REDACTED = '[REDACTED]';
/** Shown instead of a paging value or an id that failed validation: it could be anything. */
export const INVALID = '[INVALID]';

/** Paging parameters: shown when they pass the rules a request applies to them. */
const PAGING_PARAMETERS = new Set([
  'page',
  'limit',
  'sort_order',
  'include_deleted',
  'hard_delete',
  'count',
  'start_date',
  'end_date',
  'cursor',
]);
/** Id filters: shown when they are UUIDs. */
const ID_PARAMETERS = new Set(['holder_id', 'ledger_id', 'account_id']);
/** Parameter names look like ours (`banking_details_iban`); any other name could be data itself. */
const PARAMETER_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const METADATA_PREFIX = 'metadata.';

function loggableName(name: string): string {
  if (name.startsWith(METADATA_PREFIX)) {
    const key = name.slice(METADATA_PREFIX.length);
    return `${METADATA_PREFIX}${isLoggableMetadataKey(key) ? key : REDACTED}`;
  }
  return PARAMETER_NAME.test(name) && !personalDataKindIn(name) ? name : REDACTED;
}

function loggableValue(name: string, value: string, maxLimit: number): string {
  if (PAGING_PARAMETERS.has(name)) return isValidPagingValue(name, value, maxLimit) ? value : INVALID;
  if (ID_PARAMETERS.has(name)) return isUuid(value) ? value : INVALID;
  return REDACTED;
}

/** A query string as logged: paging values and ids only once valid, every other value masked, odd names too. */
export function loggableQuery(query: string, maxLimit: number): string {
  return [...new URLSearchParams(query).entries()]
    .map(
      ([name, value]) =>
        `${encodeURIComponent(loggableName(name))}=${encodeURIComponent(loggableValue(name, value, maxLimit))}`,
    )
    .join('&')
    .replace(/%5B(REDACTED|INVALID)%5D/g, '[$1]');
}

/** A request URL split into what logs and traces may show of its path and of its query. */
export function loggableUrlParts(url: string | undefined, maxLimit: number): { path: string; query?: string } {
  const raw = url ?? '/';
  const separator = raw.indexOf('?');
  const path = ROUTE_TEMPLATES.loggablePath(separator === -1 ? raw : raw.slice(0, separator));
  const query = separator === -1 ? '' : loggableQuery(raw.slice(separator + 1), maxLimit);
  return query ? { path, query } : { path };
}

/** The URL as logged: route template with valid ids, query per `loggableQuery`. */
export function loggableUrl(url: string | undefined, maxLimit: number): string {
  const { path, query } = loggableUrlParts(url, maxLimit);
  return query ? `${path}?${query}` : path;
}
