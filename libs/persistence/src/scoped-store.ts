import { isDeepStrictEqual } from 'node:util';
import { Model } from 'mongoose';
import type { ProtectedModelStatics } from '@crm/crypto';
import { mergePatch } from './merge-patch';
import { dropEmptyObjects } from './minimize';
import { encodeCursor, listFilter, pageFilter, Paging } from './paging';
import { CrmException, isDuplicateKeyError } from '@crm/errors';
import { type ChangeEvent, oneWriteAtATime } from '@crm/events';

type Filter = Record<string, unknown>;
type ProtectedModel<T, Search extends string> = Model<T> & ProtectedModelStatics<Search>;

/**
 * The change event a write stores beside its change, in the record's outbox (the same single-document
 * write), given the record as written; undefined when events are off.
 */
export type EventOf<R> = (record: R) => ChangeEvent | undefined;

/** A hard delete's event, and where its record's events go before the record does. */
export interface Erasure {
  event: EventOf<{ deletedAt: Date }>;
  handOff: (events: ChangeEvent[]) => Promise<void>;
}

/**
 * Which stored records a read or write may touch: the organization's, with these fields equal and those
 * `absent` unset (or null), live unless asked.
 */
interface RecordScope {
  includeDeleted?: boolean;
  equal?: Record<string, string>;
  absent?: readonly string[];
}

function inScope(organizationId: string, scope: RecordScope): (stored: Filter) => boolean {
  const expected = Object.entries({ ...scope.equal, organizationId });
  // `== null`, as the filter `field: null` matches a missing field too.
  return (stored) =>
    expected.every(([field, value]) => stored[field] === value) &&
    (scope.absent ?? []).every((field) => stored[field] == null) &&
    (scope.includeDeleted === true || stored.deletedAt == null) &&
    stored.erasing !== true; // a hard delete under way: gone already
}

/** The same scope as a filter. */
function scopeFilter(organizationId: string, scope: RecordScope): Filter {
  return {
    ...scope.equal,
    ...Object.fromEntries((scope.absent ?? []).map((field) => [field, null])),
    organizationId,
    ...(scope.includeDeleted === true ? {} : { deletedAt: null }),
  };
}

/**
 * Stores a new record: cast, defaulted, timestamped (unless `keepTimestamps`: an import keeps the
 * source's) and validated by the schema, then written by `insertMany` with `lean`, which the crypto
 * plugin's middleware seals without a Mongoose document being built. The record is returned as stored,
 * in plaintext.
 */
export async function insertRecord(
  model: Model<unknown>,
  data: Record<string, unknown>,
  options: { keepTimestamps?: boolean; event?: EventOf<Record<string, unknown>> } = {},
): Promise<Record<string, unknown>> {
  const [stored] = await insertRecords(model, [data], options);
  return stored;
}

/**
 * Stores new records in one `insertMany`, each prepared and sealed as `insertRecord` does: the bulk path
 * (seeding a large data set). Ordered: the first duplicate key stops it with the driver's error.
 */
export async function insertRecords(
  model: Model<unknown>,
  data: Record<string, unknown>[],
  { keepTimestamps = false, event }: { keepTimestamps?: boolean; event?: EventOf<Record<string, unknown>> } = {},
): Promise<Record<string, unknown>[]> {
  const records = await Promise.all(
    data.map(async (fields) => {
      // validate() casts too, and returns the cast record; defaults and timestamps have no validators to pass.
      const record = (await model.validate({ ...fields })) as Record<string, unknown>;
      model.applyDefaults(record); // (which also creates the nested paths' objects, as a document has them)
      if (!keepTimestamps) model.applyTimestamps(record);
      if (model.schema.get('minimize') !== false) dropEmptyObjects(record); // as a document's save does
      const created = event?.(record);
      return created ? { ...record, outbox: [created] } : record;
    }),
  );
  const stored = (await model.insertMany(records, { lean: true })) as Array<Record<string, unknown>>;
  return stored.map(({ outbox: _events, ...plain }) => plain);
}

/** How often a patch is applied again to a record that changed between its load and its write. */
const PATCH_ATTEMPTS = 5;

/**
 * A patch's updatedAt: now, or a millisecond later when now is the very value it read, so that it always
 * differs from what the patch read (the condition of every other patch that read the same record). Not
 * pushed past a stored value from the future (an imported date, a fast clock): it would stick.
 */
function changedAt(read: Date | null): Date {
  const now = Date.now();
  return new Date(read?.getTime() === now ? now + 1 : now);
}

/**
 * The persistence mechanics every organization-scoped, soft-deletable collection shares. Each method
 * takes the organization id first, so nothing goes unscoped: queries filter on it, and a read by id
 * checks it on the stored record (see findById). Repositories compose it and expose
 * narrow, named methods; they never hand out a generic `find`.
 */
export class ScopedStore<T extends { _id: string }, Search extends string = string> {
  constructor(
    private readonly model: ProtectedModel<T, Search>,
    /** The refusal when a unique index rejects a write (e.g. 409 CRM-0010). */
    private readonly onDuplicate: () => CrmException,
  ) {}

  /**
   * Unique indexes must exist before the first write, or concurrent duplicates could slip in. Indexes
   * a schema no longer declares (`retired`, by name) are dropped first.
   */
  async ensureIndexes(retired: string[] = []): Promise<void> {
    const existing = new Set((await this.model.collection.indexes().catch(() => [])).map((index) => index.name));
    for (const name of retired) if (existing.has(name)) await this.model.collection.dropIndex(name);
    await this.model.createIndexes();
  }

  /** Inserts a new record, cast, defaulted, timestamped and validated by the schema (see `insertRecord`). */
  async insert(organizationId: string, data: Filter, event?: EventOf<T>): Promise<T> {
    try {
      return (await insertRecord(
        this.model as unknown as Model<unknown>,
        { ...data, organizationId },
        { event: event as EventOf<Filter> | undefined },
      )) as T;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw this.onDuplicate();
      throw error;
    }
  }

  /**
   * One record by id, or null when the organization has none (or only a deleted one, unless asked).
   * The read names `_id` alone: the primary key is the one filter every MongoDB-compatible store serves
   * from its primary index (FerretDB scans for any other). The scope is checked on the stored record by
   * a transform that runs before the crypto plugin's, so a record out of scope is absent and never
   * decrypted.
   */
  async findById(organizationId: string, id: string, options: RecordScope = {}): Promise<T | null> {
    const accept = inScope(organizationId, options);
    return this.model
      .findOne({ _id: id })
      .lean<T>()
      .transform((found) => (found && accept(found as unknown as Filter) ? found : null));
  }

  /**
   * Plain (unprotected) fields of one record, live or not, or null when the organization has none. Read
   * by `_id` alone and checked on the stored record, as findById is; nothing else is read, so nothing is
   * decrypted.
   */
  async plainFieldsOf<K extends keyof T & string>(
    organizationId: string,
    id: string,
    fields: K[],
  ): Promise<Partial<Pick<T, K>> | null> {
    const projection = Object.fromEntries([...fields, 'organizationId'].map((field) => [field, 1]));
    const stored: Filter | null = await this.model.collection.findOne({ _id: id } as Filter, { projection });
    return stored?.organizationId === organizationId ? (stored as Partial<Pick<T, K>>) : null;
  }

  async existsLive(organizationId: string, filter: Filter): Promise<boolean> {
    return (await this.model.countDocuments({ ...filter, organizationId, deletedAt: null }).limit(1)) > 0;
  }

  /**
   * The filter that matches protected fields through their blind indexes, by declared search name: one
   * condition per value given, each on its own token path.
   */
  blindIndex(organizationId: string, searches: Partial<Record<Search, string>>): Filter {
    const given = Object.entries(searches).filter((entry): entry is [Search, string] => entry[1] !== undefined);
    return Object.assign(
      {},
      ...given.map(([name, value]) => this.model.blindIndexFilter(name, organizationId, value)),
    ) as Filter;
  }

  /**
   * Applies a JSON merge patch to one live record, and edits its arrays from their current value (what a
   * merge patch cannot say: appending, removing one element). The changed top-level fields are cast and
   * validated by the schema and written, sealed by the crypto plugin, on the condition that the record is
   * still live and unchanged since it was read (its updatedAt, which every patch changes). A deletion
   * since the load wins: null, as when absent. A change since the load is not undone: the patch is applied
   * again to the record as it now is, up to PATCH_ATTEMPTS times, then refused with 409 CRM-0046. `check`
   * sees the record as loaded, before any change, and may refuse the patch by throwing: the caller's rules
   * need no read of their own. Keys given as undefined are not part of the patch. No Mongoose document is
   * built.
   */
  async patch(
    organizationId: string,
    id: string,
    patch: Filter,
    options: Omit<RecordScope, 'includeDeleted'> & {
      check?: (current: T) => void;
      edit?: Record<string, (current: unknown[]) => unknown[]>;
      /** The change's event, stored by the write that changes the record (none when nothing changes). */
      event?: EventOf<T>;
    } = {},
  ): Promise<T | null> {
    const scope: RecordScope = { equal: options.equal, absent: options.absent };
    const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      const record = (await this.findById(organizationId, id, scope)) as Filter | null;
      if (!record) return null;
      options.check?.(record as T);
      const readAt = (record.updatedAt as Date | undefined) ?? null;
      const changes = await this.changesTo(record, given, options.edit ?? {});
      for (const [key, value] of changes) {
        if (value === undefined) delete record[key];
        else record[key] = value;
      }
      // Nothing changed: updatedAt stays, and only legacy plaintext the read found (if any) is written, sealed.
      if (changes.size > 0) record.updatedAt = changedAt(readAt);
      const written = new Set([...changes.keys(), ...(changes.size > 0 ? ['updatedAt'] : [])]);
      for (const key of this.model.keysHoldingPlaintext(record)) written.add(key);
      if (written.size === 0) return record as T;
      const unchanged = { _id: id, ...scopeFilter(organizationId, scope), updatedAt: readAt };
      try {
        const event = changes.size > 0 ? options.event?.(record as T) : undefined;
        if (await this.updateFields(unchanged, record, written, event)) return record as T;
      } catch (error) {
        if (isDuplicateKeyError(error)) throw this.onDuplicate();
        throw error;
      }
    }
    throw new CrmException('CRM-0046');
  }

  /** Writes these top-level fields of `record` whole (set, or unset when absent) where `filter` matches. */
  private async updateFields(filter: Filter, record: Filter, keys: Set<string>, event?: ChangeEvent): Promise<boolean> {
    const $set: Filter = {};
    const $unset: Record<string, ''> = {};
    for (const key of keys) {
      if (record[key] === undefined) $unset[key] = '';
      else $set[key] = record[key];
    }
    const update = {
      ...(Object.keys($set).length > 0 ? { $set } : {}),
      ...(Object.keys($unset).length > 0 ? { $unset } : {}),
      ...withEvent(event),
    };
    return (await this.updateOne(filter, update)).matchedCount > 0;
  }

  /** One update of the record the filter names by `_id` (see oneWriteAtATime). */
  private updateOne(filter: Filter, update: Filter, options: { timestamps?: boolean } = { timestamps: false }) {
    return oneWriteAtATime(this.model.collection.collectionName, filter._id, () =>
      this.model.updateOne(filter, update, options).exec(),
    );
  }

  /**
   * The top-level fields a patch and array edits change in a record, as the schema casts, defaults (ids of
   * new array elements), validates and minimizes them: undefined for a field removed. Fields left equal
   * are not changes.
   */
  private async changesTo(
    record: Filter,
    patch: Filter,
    edit: Record<string, (current: unknown[]) => unknown[]>,
  ): Promise<Map<string, unknown>> {
    const merged = mergePatch(record, patch) as Filter;
    const proposed: Filter = {};
    for (const key of Object.keys(patch)) if (merged[key] !== undefined) proposed[key] = merged[key];
    for (const [key, change] of Object.entries(edit)) {
      const edited = change([...((proposed[key] ?? record[key] ?? []) as unknown[])]);
      // An absent array left empty stays absent.
      if (edited.length > 0 || record[key] !== undefined) proposed[key] = edited;
    }
    const keys = [...new Set([...Object.keys(patch), ...Object.keys(proposed)])];
    const cast = (await this.model.validate(proposed, keys)) as Filter;
    this.model.applyDefaults(cast);
    if (this.model.schema.get('minimize') !== false) dropEmptyObjects(cast);
    return new Map(
      keys.filter((key) => !isDeepStrictEqual(cast[key], record[key])).map((key) => [key, cast[key]] as const),
    );
  }

  /**
   * Updates plain fields of a record matching `filter` (live only with `live`): marks the record's data
   * does not include, so updatedAt stays. Whether one matched.
   */
  async updatePlainFields(
    organizationId: string,
    filter: Filter,
    update: Filter,
    { live = false }: { live?: boolean } = {},
  ): Promise<boolean> {
    const scoped = { ...filter, organizationId, ...(live ? { deletedAt: null } : {}) };
    return (await this.updateOne(scoped, update)).matchedCount > 0;
  }

  /**
   * Sets deletedAt on a live record, storing its event; false when there is none. With `erasing` and an
   * event, it is the first step of a hard delete (see hardDelete): the record is marked by the same write.
   */
  async softDelete(
    organizationId: string,
    filter: Filter,
    event?: EventOf<{ deletedAt: Date }>,
    { erasing = false }: { erasing?: boolean } = {},
  ): Promise<boolean> {
    const deletedAt = new Date();
    const stored = event?.({ deletedAt });
    const result = await this.updateOne(
      { ...filter, organizationId, deletedAt: null },
      { $set: { deletedAt, ...(erasing && stored ? { erasing: true } : {}) }, ...withEvent(stored) },
      {},
    );
    return result.matchedCount > 0;
  }

  /**
   * Removes a record for good, live or soft-deleted; false when there is none. With an event, in three
   * idempotent steps: the record is marked `erasing` (soft-deleted if live) by the write that stores the
   * event, the decision; its events are handed off; the marked record is removed. A crash between them
   * leaves a marked record that the relay finishes the same way, so the event is never lost, and a hard
   * delete that was not decided never has one (docs/adr/0007-change-events.md).
   */
  async hardDelete(organizationId: string, filter: Filter, erasure?: Erasure): Promise<boolean> {
    const scoped = { ...filter, organizationId };
    const deletedAt = new Date();
    const event = erasure?.event({ deletedAt });
    if (!erasure || !event) return (await this.model.deleteOne(scoped)).deletedCount > 0;
    const mark = { $set: { erasing: true }, ...withEvent(event) };
    const unmarked = { ...scoped, erasing: { $ne: true } };
    // A live record is soft-deleted by its mark; a soft-deleted one keeps its date (a unique key may hold it).
    const marked =
      (await this.updateOne({ ...unmarked, deletedAt: null }, { ...mark, $set: { erasing: true, deletedAt } }))
        .matchedCount > 0 || (await this.updateOne({ ...unmarked, deletedAt: { $ne: null } }, mark)).matchedCount > 0;
    const stored = await this.model.collection.findOne({ ...scoped, erasing: true } as Filter, {
      projection: { outbox: 1 },
    });
    if (!stored) return marked;
    await erasure.handOff((stored.outbox ?? []) as ChangeEvent[]);
    await this.model.collection.deleteOne({ _id: stored._id, erasing: true });
    return true;
  }

  /** Removes every record matching `filter` for good, live or soft-deleted (records that hold no events). */
  async hardDeleteAll(organizationId: string, filter: Filter): Promise<void> {
    await this.model.deleteMany({ ...filter, organizationId });
  }

  /** The ids of the records matching `filter`, live or not; nothing else is read. */
  async idsOf(organizationId: string, filter: Filter): Promise<string[]> {
    const found = this.model.collection.find({ ...filter, organizationId } as Filter, { projection: { _id: 1 } });
    return (await found.toArray()).map((record) => String(record._id));
  }

  /**
   * One page of a list, ordered by _id (UUIDv7 = creation order), with total and next cursor. The page is
   * read through the driver, uncast: every filter value must already have its stored type (strings, Dates,
   * typed metadata values), or the items would miss what the (cast) total counts.
   */
  async page(
    organizationId: string,
    filter: Filter,
    paging: Paging,
    metadataFilters: Record<string, string>,
  ): Promise<{ items: T[]; total?: number; nextCursor?: string }> {
    const scoped = { ...filter, organizationId, ...listFilter(paging, metadataFilters) };
    const page = this.model
      .find(pageFilter(scoped, paging), null, {
        sort: { _id: paging.direction },
        limit: paging.limit,
        ...(paging.afterId ? {} : { skip: (paging.page - 1) * paging.limit }),
      })
      .lean<T[]>();
    const [items, total] = await Promise.all([page, paging.withTotal ? this.model.countDocuments(scoped) : undefined]);
    const nextCursor = items.length === paging.limit ? encodeCursor(items[items.length - 1]._id) : undefined;
    return { items, total, nextCursor };
  }
}

/** The update operator that stores an event in the record's outbox, or nothing. */
function withEvent(event: ChangeEvent | undefined): Filter {
  return event ? { $push: { outbox: event } } : {};
}

/**
 * Inserts a record unless one with its `_id` (or another unique key) is there: whether it was inserted.
 * An insert against a unique key is the one conditional write every supported engine applies atomically,
 * so the first of several concurrent writers wins and the others learn it.
 */
export async function insertUnlessPresent(model: Model<unknown>, record: Record<string, unknown>): Promise<boolean> {
  try {
    await model.insertMany([record], { lean: true });
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
