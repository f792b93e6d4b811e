import type { AliasAccountRecord } from '../../alias-account/alias-account.schema';
import type { HolderRecord } from '../../holder/holder.schema';
import { LerianLegacyCipher } from './lerian-legacy-cipher';

/** A raw document of the original, as the MongoDB driver returns it (BSON types kept). */
export type LegacyDocument = Record<string, unknown>;

/** A source record this service cannot represent at all (not a value problem: a shape problem). */
export class LegacyShapeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'LegacyShapeError';
  }
}

/** Paths (snake_case, as the original stored them) that the original encrypted with its legacy scheme. */
const LEGACY_ENCRYPTED = {
  holder: new Set([
    'name',
    'document',
    'contact.primary_email',
    'contact.secondary_email',
    'contact.mobile_phone',
    'contact.other_phone',
    'natural_person.mother_name',
    'natural_person.father_name',
    'legal_person.representative.name',
    'legal_person.representative.document',
    'legal_person.representative.email',
  ]),
  alias: new Set([
    'document',
    'banking_details.account',
    'banking_details.iban',
    'regulatory_fields.participant_document',
    'related_parties[].document',
  ]),
};

/** Calendar dates: the original stored some as BSON dates, this service stores all as `YYYY-MM-DD`. */
const DATE_ONLY = new Set(['birth_date', 'founding_date', 'opening_date', 'closing_date', 'start_date', 'end_date']);
/** Fields of the original that carry no data of their own here: ids and timestamps are mapped apart, tokens are recomputed. */
const MAPPED_APART = new Set(['_id', 'search', 'created_at', 'updated_at', 'deleted_at']);
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const camelCase = (key: string) => key.replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());

const isBinary = (value: unknown): value is { buffer: Uint8Array; sub_type: number } =>
  !!value && typeof value === 'object' && (value as { _bsontype?: string })._bsontype === 'Binary';

/** The original stored UUIDs as 16-byte BSON Binary (subtype 0; 3 and 4 are read too); this service as text. */
export function uuidText(value: unknown, what: string): string {
  if (typeof value === 'string' && UUID_TEXT.test(value)) return value.toLowerCase();
  if (isBinary(value) && value.buffer.length === 16) {
    const hex = Buffer.from(value.buffer).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new LegacyShapeError(`${what} is not a UUID`);
}

/** A record's id for a report line, even when it has none that is usable. */
export function reportedId(raw: LegacyDocument): string {
  try {
    return uuidText(raw._id, '_id');
  } catch {
    return 'a record without a UUID id';
  }
}

function calendarDate(value: unknown, path: string): unknown {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new LegacyShapeError(`${path} is not a valid date`);
    return value.toISOString().slice(0, 10);
  }
  return value;
}

function timestamp(value: unknown, path: string, required: boolean): Date | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (!required && (value === null || value === undefined)) return null;
  throw new LegacyShapeError(`${path} is ${required ? 'missing or ' : ''}not a date`);
}

/**
 * Decrypts and renames one level of a legacy object (and, recursively, its sub-objects): snake_case
 * keys become camelCase, nulls are dropped (this service omits absent fields), legacy ciphertexts are
 * opened, calendar dates become `YYYY-MM-DD`, UUIDs become text. Metadata is copied as stored.
 */
function convert(
  source: LegacyDocument,
  path: string,
  encrypted: Set<string>,
  cipher: LerianLegacyCipher,
): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const at = path ? `${path}.${key}` : key;
    if ((!path && MAPPED_APART.has(key)) || value === null || value === undefined) continue;
    if (!path && key === 'metadata') {
      target.metadata = value;
    } else if (encrypted.has(at)) {
      if (typeof value !== 'string') throw new LegacyShapeError(`${at} is not a legacy ciphertext`);
      target[camelCase(key)] = cipher.decrypt(value);
    } else if (DATE_ONLY.has(key)) {
      target[camelCase(key)] = calendarDate(value, at);
    } else if (Array.isArray(value)) {
      target[camelCase(key)] = (value as unknown[]).map((item) =>
        item && typeof item === 'object' && !isBinary(item)
          ? convertElement(item as LegacyDocument, `${at}[]`, encrypted, cipher)
          : item,
      );
    } else if (isBinary(value)) {
      target[camelCase(key)] = uuidText(value, at);
    } else if (typeof value === 'object' && !(value instanceof Date)) {
      target[camelCase(key)] = convert(value as LegacyDocument, at, encrypted, cipher);
    } else {
      target[camelCase(key)] = value;
    }
  }
  return target;
}

/** An array element keeps its own id (related parties are addressed by it). */
function convertElement(
  element: LegacyDocument,
  path: string,
  encrypted: Set<string>,
  cipher: LerianLegacyCipher,
): Record<string, unknown> {
  const { _id: id, ...rest } = element;
  return {
    ...(id !== undefined ? { _id: uuidText(id, `${path}._id`) } : {}),
    ...convert(rest, path, encrypted, cipher),
  };
}

function envelope(raw: LegacyDocument, organizationId: string) {
  return {
    _id: uuidText(raw._id, '_id'),
    organizationId,
    createdAt: timestamp(raw.created_at, 'created_at', true)!,
    updatedAt: timestamp(raw.updated_at, 'updated_at', true)!,
    deletedAt: timestamp(raw.deleted_at, 'deleted_at', false),
  };
}

/** A holder of the original as this service's record, decrypted. Throws on a value that does not decrypt. */
export function holderFromLegacy(
  raw: LegacyDocument,
  organizationId: string,
  cipher: LerianLegacyCipher,
): HolderRecord {
  return {
    ...convert(raw, '', LEGACY_ENCRYPTED.holder, cipher),
    ...envelope(raw, organizationId),
  } as unknown as HolderRecord;
}

/** An alias of the original as this service's record, decrypted, with its holder id as text. */
export function aliasFromLegacy(
  raw: LegacyDocument,
  organizationId: string,
  cipher: LerianLegacyCipher,
): AliasAccountRecord {
  return {
    ...convert(raw, '', LEGACY_ENCRYPTED.alias, cipher),
    // Required, and named in reasons ("holder … is not imported"): anything but a UUID would show a value.
    holderId: uuidText(raw.holder_id, 'holder_id'),
    ...envelope(raw, organizationId),
  } as unknown as AliasAccountRecord;
}
