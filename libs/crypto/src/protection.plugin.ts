import mongoose, { Document, Model, Query, Schema } from 'mongoose';
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
 * Update queries: none may write a protected value (see the guard below). Of these, findOneAndUpdate
 * returns a record (the holder's alias counter does): Mongoose runs its transforms twice, so a post hook
 * opens its lean result.
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
   * Stores a new record given as a plain object, already cast, defaulted and validated by the model:
   * it goes to the database sealed (with a UUIDv7 `_id` when it has none, and its search tokens) and
   * gets its plaintext back. The lean way to create: no Mongoose document, no decryption of what was just sealed.
   */
  insertSealed(record: Record<string, unknown>): Promise<void>;
  /**
   * Reads the record with this `_id` straight through the driver (no Mongoose query: the cheap way to
   * read one record) and opens it only if `accept` takes it as stored, still sealed: a record the caller
   * may not see is never decrypted. Null when there is none or it is not accepted.
   */
  findByIdOpened(
    id: string,
    accept: (sealed: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | null>;
  /**
   * Finds records straight through the driver (no Mongoose query, so no casting: give the filter's
   * values their stored types) and opens each. The filter passes the same guard as a query's: a
   * protected path compared with a value is refused.
   */
  findOpened(
    filter: Record<string, unknown>,
    options: { sort: Record<string, 1 | -1>; skip?: number; limit: number },
  ): Promise<Record<string, unknown>[]>;
  /**
   * Writes these top-level keys of a record `findByIdOpened` returned (changed since) to the stored record,
   * if it still matches `conditions` (with its `_id`), through the driver: no Mongoose document. Each key is
   * written whole, set or unset, its protected values sealed and their tokens recomputed; keys holding
   * values the read found in legacy plaintext are written sealed too. The record keeps its plaintext.
   * Whether a stored record matched (true, and nothing sent, when there is nothing to write).
   */
  updateSealed(
    record: Record<string, unknown>,
    keys: readonly string[],
    conditions: Record<string, unknown>,
  ): Promise<boolean>;
}

/**
 * The Mongoose plugin that keeps protected fields encrypted at rest: sealed on `save`/`create` and by
 * the `insertSealed` and `updateSealed` statics (the ways the service and the import write them; the key
 * rotation writes the re-sealed records itself), opened on load (hydrated documents, `lean()` results, cursors of
 * both, and the `findByIdOpened` and `findOpened` statics), and refused in filters, in update queries and in
 * `insertMany`, which would otherwise reach the database unsealed. Business code never sees a
 * ciphertext or calls a cipher.
 */
export function fieldProtectionPlugin(schema: Schema, { protector }: { protector: FieldProtector }): void {
  assertStorableAsString(schema, protector);
  if (schema.path('_id')?.instance !== 'String')
    throw new Error(`${protector.collection}: protected records need string (UUIDv7) ids, bound into each ciphertext`);
  addTokenPaths(schema, protector);

  // Fields a loaded document (or a record findByIdOpened read) held as legacy plaintext (see
  // ProtectedFieldSpec.acceptsLegacyPlaintext): its next save (or updateSealed) encrypts them, whatever
  // else it changes.
  const legacyByDocument = new WeakMap<AnyDocument, ProtectedField[]>();
  const legacyByRecord = new WeakMap<Record<string, unknown>, ProtectedField[]>();

  schema.static('blindIndexFilter', (searchAs: string, organizationId: string, value: string) =>
    protector.searchFilter(searchAs, organizationId, value),
  );
  schema.static('searchesPreviousHashKeys', () => protector.searchesPreviousHashKeys);
  schema.static('insertSealed', async function (this: Model<unknown>, record: Record<string, unknown>) {
    record._id ??= uuidv7();
    // Sealed in place for the write, then given back what sealing replaced, whatever the outcome.
    const sealed = protector.seal(plainAccess(record));
    try {
      await this.collection.insertOne(record);
    } finally {
      for (const { access, path, plaintext } of sealed) access.set(path, plaintext);
    }
  });

  schema.static(
    'findByIdOpened',
    async function (this: Model<unknown>, id: string, accept: (sealed: Record<string, unknown>) => boolean) {
      const record = await this.collection.findOne<Record<string, unknown>>({ _id: id as never });
      if (!record || !accept(record)) return null;
      const legacy = protector.open(plainAccess(record));
      if (legacy.length > 0) legacyByRecord.set(record, legacy);
      return record;
    },
  );

  schema.static(
    'updateSealed',
    async function (
      this: Model<unknown>,
      record: Record<string, unknown>,
      keys: readonly string[],
      conditions: Record<string, unknown>,
    ) {
      const { update, sealed } = protector.sealKeys(record, keys, legacyByRecord.get(record));
      const operators = withoutEmptyOperators(update);
      if (Object.keys(operators).length === 0) return true; // no key, no legacy plaintext: nothing was sealed either
      try {
        const filter = { ...conditions, _id: record._id as never };
        const { matchedCount } = await this.collection.updateOne(filter, operators);
        if (matchedCount > 0) legacyByRecord.delete(record);
        return matchedCount > 0;
      } finally {
        for (const { access, path, plaintext } of sealed) access.set(path, plaintext);
        delete record.search; // tokens serve filters only, as after a read
      }
    },
  );

  schema.static(
    'findOpened',
    async function (
      this: Model<unknown>,
      filter: Record<string, unknown>,
      options: { sort: Record<string, 1 | -1>; skip?: number; limit: number },
    ) {
      protector.assertFilter(filter);
      const records = await this.collection.find<Record<string, unknown>>(filter, options).toArray();
      for (const record of records) protector.open(plainAccess(record));
      return records;
    },
  );

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

  // Guard: insertMany skips the save hooks, so its records would be stored in plain text. Refused.
  schema.pre('insertMany', function () {
    throw new ProtectedQueryError(protector.collection, 'insertMany is not supported; create each record');
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
      if (record && typeof record === 'object' && !isDocument(record))
        protector.open(plainAccess(record as Record<string, unknown>));
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
  // writing one would store it unsealed (a ciphertext is bound to its record, which an update query does
  // not name): records with protected values are loaded and saved, never updated in place. Counters,
  // deletion marks and other plain paths update as usual.
  schema.pre(FILTERED_QUERIES, function (this: Query<unknown, unknown>) {
    protector.assertFilter(this.getFilter());
  });
  schema.pre('aggregate', function () {
    for (const stage of this.pipeline())
      if ('$match' in stage) protector.assertFilter(stage.$match, 'aggregation $match');
  });
  schema.pre(UPDATES, function (this: Query<unknown, unknown>) {
    if (protector.touchesProtected(this.getUpdate()))
      throw new ProtectedQueryError(
        protector.collection,
        'update queries cannot write protected fields; save the record',
      );
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
