import { CrmException } from '@crm/errors';

/** A list request resolved against the configuration: what the repository needs to read one page. */
export interface Paging {
  page: number;
  limit: number;
  direction: 1 | -1;
  createdAt?: { $gte: Date; $lt: Date };
  afterId?: string;
  includeDeleted: boolean;
  withTotal: boolean;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The last id of the previous page; 400 CRM-0016 for anything this API did not hand out. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id))
    throw new CrmException('CRM-0016', { fields: { cursor: 'is not a cursor returned by this API' } });
  return id;
}

/** A value a metadata filter matches: stored metadata values are typed. */
export type MetadataFilterValue = string | number | boolean | null;

/** A JSON number literal: no hex, binary, leading zeros or signs, blanks or Infinity (Number() accepts all those). */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Stored metadata values are typed: a filter value also matches its number or boolean reading. */
export function metadataFilterValues(value: string): MetadataFilterValue[] {
  const values: MetadataFilterValue[] = [value];
  if (value === 'true' || value === 'false') values.push(value === 'true');
  else if (JSON_NUMBER.test(value) && Number.isFinite(Number(value))) values.push(Number(value));
  else if (value === 'null') values.push(null);
  return values;
}

/** The filter of one page: the list's filter past the cursor, if any. */
export function pageFilter(filter: Record<string, unknown>, paging: Paging): Record<string, unknown> {
  return paging.afterId ? { ...filter, _id: { [paging.direction === 1 ? '$gt' : '$lt']: paging.afterId } } : filter;
}

/** The Mongo filter parts every list shares: liveness, creation window, metadata (AND). */
export function listFilter(paging: Paging, metadataFilters: Record<string, string>): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (!paging.includeDeleted) filter.deletedAt = null;
  if (paging.createdAt) filter.createdAt = paging.createdAt;
  for (const [key, value] of Object.entries(metadataFilters)) {
    filter[`metadata.${key}`] = { $in: metadataFilterValues(value) };
  }
  return filter;
}
