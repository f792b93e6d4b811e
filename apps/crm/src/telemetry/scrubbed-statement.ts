import { isLoggableMetadataKey } from '@crm/personal-data';

const METADATA = 'metadata';
const MASKED_KEY = '[REDACTED]';

/** Metadata keys are the caller's: one that looks like personal data is masked, the others kept. */
function scrubbedKey(key: string, insideMetadata: boolean): string {
  if (insideMetadata) return isLoggableMetadataKey(key) ? key : MASKED_KEY;
  if (key.startsWith(`${METADATA}.`))
    return isLoggableMetadataKey(key.slice(METADATA.length + 1)) ? key : `${METADATA}.${MASKED_KEY}`;
  return key;
}

function scrub(value: unknown, insideMetadata: boolean): unknown {
  // Leaves, and BSON values (ObjectId, Date, Binary, Long) that serialize themselves.
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return '?';
  if (Array.isArray(value)) return value.map((item) => scrub(item, insideMetadata));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [scrubbedKey(key, insideMetadata), scrub(item, key === METADATA)]),
  );
}

/**
 * `db.query.text` of a MongoDB span: the command's shape with every value replaced by `?` (as the
 * instrumentation's default does) and, beyond it, metadata keys that look like personal data masked,
 * in documents (`metadata: {…}`) and in filters (`metadata.<key>`).
 */
export function scrubbedStatement(command: Record<string, unknown>): string {
  return JSON.stringify(scrub(command, false));
}
