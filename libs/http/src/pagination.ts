import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CrmException } from '@crm/errors';
import { dateFilterSpan } from './calendar-date';
import { HardDeleteQuery, ListQuery } from './list-query';
import { decodeCursor, Paging } from '@crm/persistence';

/** The list envelope: `{items, page, limit}` as the original, plus `total` and `next_cursor` when asked or useful. */
export interface PageOf<T> {
  items: T[];
  page: number;
  limit: number;
  total?: number;
  next_cursor?: string;
}

/** Checks the cross-field rules of a list query and turns it into a `Paging`. */
export function resolvePaging(query: ListQuery, maxLimit: number): Paging {
  const limit = query.limit ?? 10;
  if (limit > maxLimit)
    throw new CrmException('CRM-0009', {
      message: `limit must be at most ${maxLimit}.`,
      fields: { limit: `must be at most ${maxLimit}` },
    });
  if (Boolean(query.start_date) !== Boolean(query.end_date)) {
    throw new CrmException('CRM-0016', {
      fields: { [query.start_date ? 'end_date' : 'start_date']: 'give start_date and end_date together' },
    });
  }
  let createdAt: Paging['createdAt'];
  if (query.start_date && query.end_date) {
    const start = dateFilterSpan(query.start_date)!.start;
    const end = dateFilterSpan(query.end_date)!.end;
    if (start >= end) throw new CrmException('CRM-0016', { fields: { end_date: 'must not be before start_date' } });
    createdAt = { $gte: start, $lt: end };
  }
  return {
    page: query.page ?? 1,
    limit,
    direction: query.sort_order?.toLowerCase() === 'desc' ? -1 : 1,
    createdAt,
    afterId: query.cursor ? decodeCursor(query.cursor) : undefined,
    includeDeleted: query.include_deleted === true,
    withTotal: query.count === true,
  };
}

/** The list envelope of one page read by a repository. */
export function pageOf<R, T>(
  paging: Paging,
  read: { items: R[]; total?: number; nextCursor?: string },
  toResponse: (record: R) => T,
): PageOf<T> {
  return {
    items: read.items.map(toResponse),
    page: paging.page,
    limit: paging.limit,
    ...(read.total !== undefined ? { total: read.total } : {}),
    ...(read.nextCursor ? { next_cursor: read.nextCursor } : {}),
  };
}

/**
 * Whether one raw paging parameter (`page`, `limit`, `sort_order`, `cursor`, the dates and flags, or
 * `hard_delete`) passes the rules a request applies to it: its DTO rule, the limit's maximum, a cursor
 * this API issued. Logs and traces show such a value as sent, and no other.
 */
export function isValidPagingValue(name: string, value: string, maxLimit: number): boolean {
  const dto: new () => object = name === 'hard_delete' ? HardDeleteQuery : ListQuery;
  const query = plainToInstance(dto, { [name]: value });
  if (validateSync(query, { whitelist: true, forbidNonWhitelisted: true }).length > 0) return false;
  if (name === 'limit') return (query as ListQuery).limit! <= maxLimit;
  if (name === 'cursor') {
    try {
      decodeCursor(value);
    } catch {
      return false;
    }
  }
  return true;
}
