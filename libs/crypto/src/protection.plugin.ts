import mongoose, { Document, Query, Schema } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { FieldProtector, plainAccess, ProtectedField, RecordAccess, SealedValue } from './field-protector';
import { ProtectedQueryError } from './errors';

type AnyDocument = Document<unknown>;
const isDocument = (value: unknown): value is AnyDocument => value instanceof Document;

function documentAccess(doc: AnyDocument): RecordAccess {
  return {
    get: (path) => doc.get(path),
    set: (path, value) => doc.set(path, value),
    settle: () => doc.$clearModifiedPaths(),
    element: (item) => (isDocument(item) ? documentAccess(item) : plainAccess(item as Record<string, unknown>)),
  };
}

function accessOf(record: unknown): RecordAccess {
  return isDocument(record) ? documentAccess(record) : plainAccess(record as Record<string, unknown>);
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
/** Writes returning a record: Mongoose runs their transforms twice, so a post hook opens their lean results. */
const LEAN_WRITES_RETURNING: mongoose.MongooseQueryMiddleware[] = [
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
];

/** Statics the plugin adds to a protected model. */
export interface ProtectedModelStatics {
  /** The filter that finds records whose searchable field equals `value` (any hash key version). */
  blindIndexFilter(searchAs: string, organizationId: string, value: string): Record<string, unknown>;
  /**
   * Whether previous hash keys are configured. While they are, a unique index over a token cannot
   * see a duplicate stored under an older token, so uniqueness needs a search first.
   */
  searchesPreviousHashKeys(): boolean;
}

/**
 * The Mongoose plugin that keeps protected fields encrypted at rest: sealed on `save`/`create`,
 * `insertMany` and updates, opened on load (hydrated documents, `lean()` results, cursors of both),
 * and refused in filters. Business code never sees a ciphertext or calls a cipher.
 */
export function fieldProtectionPlugin(schema: Schema, { protector }: { protector: FieldProtector }): void {
  assertStorableAsString(schema, protector);
  if (schema.path('_id')?.instance !== 'String')
    throw new Error(`${protector.collection}: protected records need string (UUIDv7) ids, bound into each ciphertext`);
  addTokenPaths(schema, protector);

  schema.static('blindIndexFilter', (searchAs: string, organizationId: string, value: string) =>
    protector.searchFilter(searchAs, organizationId, value),
  );
  schema.static('searchesPreviousHashKeys', () => protector.searchesPreviousHashKeys);

  // Fields a loaded document held as legacy plaintext (see ProtectedFieldSpec.acceptsLegacyPlaintext):
  // its next save encrypts them, whatever else it changes.
  const legacyByDocument = new WeakMap<AnyDocument, ProtectedField[]>();

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

  // Inserts of plain records (`lean`, as the repositories insert) come back as the same objects: their
  // plaintext is put back from what sealing replaced, with no decryption. Other inserts come back as
  // documents Mongoose built from the sealed values: those are opened.
  const sealedByInsert = new WeakMap<object, SealedValue[]>();
  schema.pre('insertMany', function (docs: unknown[]) {
    for (const doc of docs) {
      const access = accessOf(doc);
      if (access.get('_id') == null) access.set('_id', uuidv7());
      sealedByInsert.set(doc as object, protector.seal(access));
    }
  });
  schema.post('insertMany', function (docs: unknown) {
    if (!Array.isArray(docs)) return;
    for (const doc of docs) {
      const sealed = sealedByInsert.get(doc as object);
      if (sealed) for (const { access, path, plaintext } of sealed) access.set(path, plaintext);
      else protector.open(accessOf(doc));
      if (isDocument(doc)) doc.$clearModifiedPaths();
    }
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
  schema.post(LEAN_WRITES_RETURNING, function (this: Query<unknown, unknown>, result: unknown) {
    if (this.mongooseOptions().lean) openLean(result);
  });

  schema.pre(FILTERED_QUERIES, function (this: Query<unknown, unknown>) {
    protector.assertFilter(this.getFilter());
  });
  schema.pre('aggregate', function () {
    for (const stage of this.pipeline())
      if ('$match' in stage) protector.assertFilter(stage.$match, 'aggregation $match');
  });

  schema.pre(['updateOne', 'findOneAndUpdate'], async function (this: Query<unknown, unknown>) {
    await sealSingleUpdate(this, protector);
  });
  schema.pre('updateMany', async function (this: Query<unknown, unknown>) {
    await sealManyUpdate(this, protector);
  });
  schema.pre(['replaceOne', 'findOneAndReplace'], function (this: Query<unknown, unknown>) {
    const replacement = this.getUpdate() as Record<string, unknown> | null;
    if (replacement && protector.touchesProtected(replacement))
      throw new ProtectedQueryError(protector.collection, 'replace is not supported; update the fields instead');
  });
}

type Target = { _id: unknown; organizationId: string };

/**
 * Ciphertexts are bound to their record, so an update that writes protected values must know which
 * record it writes: it is pinned to the one document its filter selects.
 */
async function sealSingleUpdate(query: Query<unknown, unknown>, protector: FieldProtector): Promise<void> {
  const update = query.getUpdate() as Record<string, unknown> | null;
  if (!update || !protector.touchesProtected(update)) return;
  if (query.getOptions().upsert)
    throw new ProtectedQueryError(protector.collection, 'upserts cannot write protected fields');
  const target = (await query.model
    .findOne(query.getFilter(), { _id: 1, organizationId: 1 }, { sort: query.getOptions().sort })
    .lean()) as Target | null;
  if (!target) {
    query.where({ _id: { $in: [] } }); // nothing matched: keep it so, even if a match appears meanwhile
    return;
  }
  query.where({ _id: target._id });
  query.setUpdate(protector.sealUpdate(update, target.organizationId, String(target._id)));
}

/** updateMany with protected values becomes one pinned update per matched record. */
async function sealManyUpdate(query: Query<unknown, unknown>, protector: FieldProtector): Promise<void> {
  const update = query.getUpdate() as Record<string, unknown> | null;
  if (!update || !protector.touchesProtected(update)) return;
  if (query.getOptions().upsert)
    throw new ProtectedQueryError(protector.collection, 'upserts cannot write protected fields');
  const filter = query.getFilter();
  const targets = (await query.model.find(filter, { _id: 1, organizationId: 1 }).lean()) as Target[];
  const operations = targets.map((target) => ({
    updateOne: {
      filter: { ...filter, _id: target._id },
      update: protector.sealUpdate(update, target.organizationId, String(target._id)),
    },
  }));
  const result =
    operations.length > 0 ? await query.model.bulkWrite(operations as never, { ordered: false }) : undefined;
  // Kareem skips the wrapped updateMany when a pre hook throws this marker.
  throw mongoose.skipMiddlewareFunction({
    acknowledged: true,
    matchedCount: result?.matchedCount ?? 0,
    modifiedCount: result?.modifiedCount ?? 0,
    upsertedCount: 0,
    upsertedId: null,
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
