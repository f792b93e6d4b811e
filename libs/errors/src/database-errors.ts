/**
 * Whether a write failed because a unique index refused it. MongoDB answers code 11000 (also per item of
 * a bulk write); FerretDB 1.24 (SQLite), the test stand-in, answers some updates with its SQLite error.
 * Classifying it in one place keeps every caller — repositories, the rotation, the canary, the import,
 * the audit writer — answering the same way on both servers.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  const failure = error as
    { code?: number; message?: string; writeErrors?: Array<{ code?: number }> | { code?: number } } | undefined;
  if (failure?.code === 11000 || /UNIQUE constraint failed/.test(failure?.message ?? '')) return true;
  const items = Array.isArray(failure?.writeErrors)
    ? failure.writeErrors
    : failure?.writeErrors
      ? [failure.writeErrors]
      : [];
  return items.length > 0 && items.every((item) => item.code === 11000);
}
