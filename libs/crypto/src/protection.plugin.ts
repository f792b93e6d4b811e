import mongoose, { Document, Query, Schema } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import {
  FieldProtector,
  plainAccess,
  ProtectedField,
  RecordAccess,
  ResealUpdate,
  SealedValue,
} from './field-protector';
import { ProtectedQueryError } from './errors';

type AnyDocument = Document<unknown>;
const isDocument = (value: unknown): value is AnyDocument => value instanceof Document;

function documentAccess(doc: AnyDocument): RecordAccess {
  return {
    get: (path) => doc.get(path) as unknown,
    set: (path, value) => doc.set(path, value),
    settle: () => doc.$clearModifiedPaths(),
    element: (item) => (isDocument(item) ? documentAccess(item) : plainAccess(item as Record<string, unknown>)),
  };
}

const FILTERED_QUERIES: mongoose.MongooseQueryMiddleware[] = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
];
/** Reads whose lean results a query transform opens (exec and cursors alike). */
const LEAN_READS: mongoose.MongooseQueryMiddleware[] = ['find', 'findOne'];
/**
 * Update queries: those writing a protected value are sealed or refused (see the hook below). Of these,
 * findOneAndUpdate returns a record: Mongoose runs its transforms twice, so a post hook opens its lean
 * result.
 */
const UPDATES: mongoose.MongooseQueryMiddleware[] = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
];

/** Statics the plugin adds to a protected model. */
export interface ProtectedModelStatics<Search extends string = string> {
  /** The filter that finds records whose searchable field equals `value` (any hash key version). */
  blindIndexFilter(searchAs: Search, organizationId: string, value: string): Record<string, unknown>;
  /**
   * Whether previous hash keys are configured. While they are, a unique index over a token cannot
   * see a duplicate stored under an older token, so uniqueness needs a search first.
   */
  searchesPreviousHashKeys(): boolean;
  /**
   * The top-level keys of a record read with `lean()` whose protected values were stored unencrypted (a
   * field that tolerates legacy plaintext): an update that writes them whole gets them encrypted.
   */
  keysHoldingPlaintext(record: object): string[];
}

/**
 * The Mongoose plugin that keeps protected fields encrypted at rest, through Mongoose's own methods:
 * sealed on `save`/`create`, on `insertMany` (hydrated or `lean`), and in `updateOne`/`findOneAndUpdate`
 * queries that name one record (its `_id` and `organizationId`) and write whole top-level fields with
 * `$set`/`$unset`; opened on load (hydrated documents, `lean()` results and cursors of both). Every other
 * write of a protected path, and every filter comparing one with a value, is refused: it would store a
 * value unsealed or never match a ciphertext. Business code never sees a ciphertext or calls a cipher.
 */
export function fieldProtectionPlugin(schema: Schema, { protector }: { protector: FieldProtector }): void {
  assertStorableAsString(schema, protector);
  if (schema.path('_id')?.instance !== 'String')
    throw new Error(`${protector.collection}: protected records need string (UUIDv7) ids, bound into each ciphertext`);
  addTokenPaths(schema, protector);

  // Fields a loaded document held as legacy plaintext (see ProtectedFieldSpec.acceptsLegacyPlaintext): its
  // next save encrypts them, whatever else it changes. A lean record's are named by keysHoldingPlaintext.
  const legacyByDocument = new WeakMap<AnyDocument, ProtectedField[]>();
  const holdingPlaintext = new WeakMap<object, string[]>();

  schema.static('blindIndexFilter', (searchAs: string, organizationId: string, value: string) =>
    protector.searchFilter(searchAs, organizationId, value),
  );
  schema.static('searchesPreviousHashKeys', () => protector.searchesPreviousHashKeys);
  schema.static('keysHoldingPlaintext', (record: object) => holdingPlaintext.get(record) ?? []);

  // Writes of whole documents. Validation ran before this hook, on plaintext.
  const sealedBySave = new WeakMap<AnyDocument, SealedValue[]>();
  schema.pre('save', function () {
    const legacy = legacyByDocument.get(this) ?? [];
    const include = this.isNew
      ? () => true
      : (field: ProtectedField) => legacy.includes(field) || this.isModified(field.array ?? field.leaf);
    sealedBySave.set(this, protector.seal(documentAccess(this), include));
  });
  // After the write the document holds plaintext again; after a success it is also clean.
  const unseal = (doc: AnyDocument, saved: boolean) => {
    const sealed = sealedBySave.get(doc) ?? [];
    sealedBySave.delete(doc);
    for (const { access, path, plaintext } of sealed) access.set(path, plaintext);
    if (!saved) return;
    for (const { access } of sealed) access.settle?.();
    doc.$clearModifiedPaths();
  };
  schema.post('save', function (doc: AnyDocument) {
    legacyByDocument.delete(doc);
    unseal(doc, true);
  });
  schema.post('save', function (error: Error, doc: AnyDocument, next: (error?: Error) => void) {
    unseal(doc, false);
    next(error);
  });

  // insertMany skips the save hooks: its records are sealed here, as copies (the caller's stay
  // plaintext), after a UUIDv7 `_id` is given to any that lacks one (the ciphertexts are bound to it).
  // The answer is the caller's records again, with no decryption of what was just sealed; hydrated
  // documents built from the sealed copies are opened. With `lean`, no Mongoose document is built.
  const plaintextOf = new WeakMap<object, object>();
  const sealInserted = (records: unknown) => {
    const sealed = ([records].flat() as Array<Record<string, unknown> | AnyDocument>).map((record) => {
      if (isDocument(record)) {
        protector.seal(documentAccess(record));
        return record;
      }
      record._id ??= uuidv7();
      const copy = copyContainers(record) as Record<string, unknown>;
      protector.seal(plainAccess(copy));
      plaintextOf.set(copy, record);
      return copy;
    });
    return mongoose.overwriteMiddlewareArguments(sealed);
  };
  // (Mongoose's typings do not know that a pre hook may replace its arguments.)
  schema.pre('insertMany', sealInserted as unknown as () => void);
  schema.post('insertMany', function (inserted: unknown) {
    const opened = ([inserted].flat() as object[]).map((record) => {
      const plaintext = plaintextOf.get(record);
      if (plaintext) return plaintext;
      if (isDocument(record)) protector.open(documentAccess(record));
      return record;
    });
    return mongoose.overwriteMiddlewareResult(opened);
  });

  // Reads: hydration decrypts the raw document before Mongoose builds the object (cursors too).
  schema.pre('init', function (this: AnyDocument, raw: Record<string, unknown>) {
    const legacy = protector.open(plainAccess(raw));
    if (legacy.length > 0) legacyByDocument.set(this, legacy);
  });
  // lean() results are plain records. For reads a query transform opens them, both for exec() (the
  // whole result) and for cursors (each record), which take a query's transforms after its pre hooks.
  const openLean = (result: unknown) => {
    for (const record of Array.isArray(result) ? result : [result]) {
      if (record && typeof record === 'object' && !isDocument(record)) {
        const lean = record as Record<string, unknown>;
        const legacy = protector.open(plainAccess(lean));
        if (legacy.length > 0) holdingPlaintext.set(lean, legacy.map(rootOf));
      }
    }
    return result;
  };
  schema.pre(LEAN_READS, function (this: Query<unknown, unknown>) {
    if (this.mongooseOptions().lean) this.transform(openLean);
  });
  schema.post('findOneAndUpdate', function (this: Query<unknown, unknown>, result: unknown) {
    if (this.mongooseOptions().lean) openLean(result);
  });

  // Guards. A filter comparing a protected path with a value could never match a ciphertext. An update
  // writing one is sealed when it names its record (a ciphertext is bound to the record's organization and
  // id) and writes whole top-level fields; otherwise it is refused. Plain paths update as usual.
  schema.pre(FILTERED_QUERIES, function (this: Query<unknown, unknown>) {
    protector.assertFilter(this.getFilter());
  });
  schema.pre('aggregate', function () {
    for (const stage of this.pipeline())
      if ('$match' in stage) protector.assertFilter(stage.$match, 'aggregation $match');
  });
  schema.pre(UPDATES, function (this: Query<unknown, unknown>) {
    const update = this.getUpdate();
    if (!protector.touchesProtected(update)) return;
    const record = recordNamedBy(this);
    if (!record || !isFieldUpdate(update))
      throw new ProtectedQueryError(
        protector.collection,
        'an update writing protected fields must name one record (_id and organizationId) and $set/$unset whole top-level fields',
      );
    const { $set = {}, $unset = {}, ...others } = update;
    if (protector.touchesProtected(others))
      throw new ProtectedQueryError(protector.collection, 'protected fields are written whole, with $set or $unset');
    // Sealed on a copy: the caller's values stay plaintext.
    const copy = { ...record, ...(copyContainers($set) as Record<string, unknown>) };
    const { update: sealed } = protector.sealKeys(copy, [...Object.keys($set), ...Object.keys($unset)]);
    this.setUpdate({ ...others, ...withoutEmptyOperators(sealed) });
  });
}

/** Ciphertexts are strings: a protected path typed otherwise would fail casting (or lose data). */
function assertStorableAsString(schema: Schema, protector: FieldProtector): void {
  for (const field of protector.fields) {
    const owner = field.array ? (schema.path(field.array) as unknown as { schema?: Schema }).schema : schema;
    const type = owner?.path(field.leaf)?.instance;
    if (type !== 'String' && type !== 'Mixed') {
      throw new Error(
        `protected path ${field.spec} must be declared as String or Mixed in the ${protector.collection} schema (found ${type ?? 'nothing'})`,
      );
    }
  }
}

/**
 * Blind-index tokens live under `search`. They serve filters only: reads drop them (see
 * FieldProtector.open) rather than projecting them out, which FerretDB's findAndModify refuses.
 */
function addTokenPaths(schema: Schema, protector: FieldProtector): void {
  const tokens: Record<string, unknown> = {};
  for (const field of protector.fields) {
    if (!field.tokenPath) continue;
    tokens[field.tokenPath.slice('search.'.length)] = { type: field.array ? [String] : String, default: undefined };
  }
  if (Object.keys(tokens).length > 0) schema.add({ search: tokens });
}

/** An update without its empty operators, which MongoDB refuses (`$unset: {}`). */
function withoutEmptyOperators(update: ResealUpdate): Partial<ResealUpdate> {
  return Object.fromEntries(Object.entries(update).filter(([, fields]) => Object.keys(fields as object).length > 0));
}

/** The record an update query names by equality on `_id` and `organizationId`, which its ciphertexts are bound to. */
function recordNamedBy(query: Query<unknown, unknown>): Record<string, unknown> | undefined {
  const { _id, organizationId } = query.getFilter() as Record<string, unknown>;
  const { op } = query as unknown as { op: string };
  const single = op === 'updateOne' || op === 'findOneAndUpdate';
  if (!single || query.getOptions().upsert || typeof _id !== 'string' || typeof organizationId !== 'string') return;
  return { _id, organizationId };
}

type FieldUpdate = { $set?: Record<string, unknown>; $unset?: Record<string, unknown> } & Record<string, unknown>;

/** An update made of operators, not a replacement or a pipeline. */
function isFieldUpdate(update: unknown): update is FieldUpdate {
  if (!update || typeof update !== 'object' || Array.isArray(update)) return false;
  return Object.keys(update).every((key) => key.startsWith('$'));
}

/**
 * A copy of a record's objects and arrays, the values in them shared: sealing replaces values (with
 * ciphertexts) and never changes one in place, so a copy of the containers keeps the original whole.
 */
function copyContainers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyContainers);
  if (isDocument(value)) return copyContainers(value.toObject()); // a cast record's array elements are subdocuments
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyContainers(item)]));
}

/** The top-level key a field's values sit under. */
function rootOf(field: ProtectedField): string {
  return (field.array ?? field.leaf).split('.')[0];
}
