const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Drops the keys whose value is an object left empty (after the same is done inside it), in place: what
 * Mongoose's `minimize` does when it saves a document, for records inserted without one. Arrays, dates
 * and other values stay as they are.
 */
export function dropEmptyObjects(record: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(record)) {
    if (isPlainObject(value) && Object.keys(dropEmptyObjects(value)).length === 0) delete record[key];
  }
  return record;
}
