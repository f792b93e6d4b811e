/**
 * A small model of MongoDB's index selection, to show on paper that every query the repositories issue
 * is served by a declared index (FerretDB scans every filter but `_id`, so this cannot be measured here).
 *
 * A query is served by an index when:
 *  - the index is `_id_` and the filter pins `_id` to one value; or
 *  - the index starts with `organizationId` and the filter's equality fields (`x: v`, `x: null`,
 *    `x: {$in: […]}`) cover a prefix of the index's keys, in any order among themselves, and every
 *    SELECTIVE equality field of the filter (ids, references, blind-index tokens) is in that prefix;
 *  - a sort (always on `_id`) and an `_id` range (a cursor) are the key right after that prefix, or the
 *    prefix holds a selective field, whose few matches are sorted in memory; or
 *  - the filter is a range on the index's first key and nothing else (the event relay's read of the
 *    records holding events, across organizations: only their keys are in that range).
 * Other fields (`deletedAt` where not indexed, `createdAt`, `metadata.*`, plain attribute filters, the
 * live-alias counter) are residual: checked on the documents the index yields, in `_id` order.
 */

export type IndexKeys = Record<string, 1 | -1 | string>;
export interface DeclaredIndex {
  name: string;
  keys: IndexKeys;
  unique?: boolean;
}

export interface CapturedQuery {
  collection: string;
  operation: string;
  filter: Record<string, unknown>;
  sort?: Record<string, unknown>;
  limit?: number;
}

export interface Plan {
  index: DeclaredIndex;
  prefix: string[];
  sortInMemory: boolean;
}

const SELECTIVE = (field: string) =>
  ['_id', 'externalId', 'holderId', 'ledgerId', 'accountId'].includes(field) || field.startsWith('search.');

type Condition = 'eq' | 'range' | 'residual';

function conditionOf(value: unknown): Condition {
  if (value === null || typeof value !== 'object' || value instanceof Date) return 'eq';
  const operators = Object.keys(value);
  if (operators.length === 1 && operators[0] === '$in') return 'eq';
  if (operators.length > 0 && operators.every((operator) => ['$gt', '$gte', '$lt', '$lte'].includes(operator)))
    return 'range';
  return 'residual';
}

export function conditions(filter: Record<string, unknown>): Map<string, Condition> {
  return new Map(Object.entries(filter).map(([field, value]) => [field, conditionOf(value)]));
}

/** How `index` serves `query`, or undefined when it does not. */
export function planWith(index: DeclaredIndex, query: CapturedQuery): Plan | undefined {
  const fields = conditions(query.filter);
  const keys = Object.keys(index.keys);
  if (index.name === '_id_') {
    return fields.get('_id') === 'eq' ? { index, prefix: ['_id'], sortInMemory: false } : undefined;
  }
  if (fields.size === 1 && fields.get(keys[0]) === 'range' && !query.sort)
    return { index, prefix: [keys[0]], sortInMemory: false };
  if (keys[0] !== 'organizationId' || fields.get('organizationId') !== 'eq') return undefined;
  const prefix: string[] = [];
  for (const key of keys) {
    if (fields.get(key) !== 'eq') break;
    prefix.push(key);
  }
  for (const [field, condition] of fields) {
    if (condition === 'eq' && SELECTIVE(field) && !prefix.includes(field)) return undefined;
  }
  const next = keys[prefix.length];
  const selectivePrefix = prefix.some(SELECTIVE);
  const idRange = fields.get('_id') === 'range';
  const sortField = query.sort ? Object.keys(query.sort)[0] : undefined;
  if (sortField !== undefined && sortField !== '_id') return undefined; // every list orders by _id
  const orderedByIndex = next === '_id';
  if ((idRange || sortField) && !orderedByIndex && !selectivePrefix) return undefined;
  return {
    index,
    prefix: orderedByIndex && (idRange || sortField) ? [...prefix, '_id'] : prefix,
    sortInMemory: Boolean(sortField) && !orderedByIndex,
  };
}

/** The best declared index for a query: `_id_` for a pinned id, else the longest usable prefix. */
export function plan(indexes: DeclaredIndex[], query: CapturedQuery): Plan | undefined {
  const plans = indexes.map((index) => planWith(index, query)).filter((found): found is Plan => found !== undefined);
  const byId = plans.find((found) => found.index.name === '_id_');
  if (byId) return byId;
  return plans.sort((a, b) => b.prefix.length - a.prefix.length || Number(a.sortInMemory) - Number(b.sortInMemory))[0];
}

/** A query's shape for the README: its fields with their kind of condition, and its order. */
export function shapeOf(query: CapturedQuery): string {
  const parts = [...conditions(query.filter)].map(([field, condition]) => {
    const name = field.startsWith('metadata.') ? 'metadata.<key>' : field;
    return condition === 'range' ? `${name} range` : condition === 'residual' ? `${name} (other)` : name;
  });
  const unique = [...new Set(parts)].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return `${query.operation} {${unique.join(', ')}}${query.sort ? ` sort _id` : ''}`;
}

const order = (part: string) =>
  part.startsWith('organizationId') ? 0 : part.startsWith('_id') ? 1 : part.startsWith('deletedAt') ? 3 : 2;
