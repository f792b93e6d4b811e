import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Binary, deserialize, EJSON, serialize } from 'bson';
import mongoose, { Connection } from 'mongoose';
import type { LegacyDocument } from './lerian-record.mapper';

const ORGANIZATION_ID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ORGANIZATION_COLLECTION = new RegExp(`^(holders|aliases)_(${ORGANIZATION_ID})$`);

export type LegacyEntity = 'holders' | 'aliases';

/**
 * The original's data, read only: one `holders_<organizationId>` and one `aliases_<organizationId>`
 * collection per organization, from its database or from an export of it. Nothing here writes.
 */
export interface LerianSource {
  /** How messages name the source, e.g. "the source database crm". */
  readonly name: string;
  /** What the source holds an organization's data in, for a message saying none was found. */
  readonly lookedFor: string;
  /** Organizations that have a holders or an aliases collection, in a stable order. */
  organizations(): Promise<string[]>;
  /** Every document, soft-deleted ones included, in `_id` order (the original's ids are UUIDv7: creation order). */
  documents(entity: LegacyEntity, organizationId: string, batchSize: number): AsyncIterable<LegacyDocument>;
  /** The first documents of a collection, to check the keys against before anything is written. */
  sample(entity: LegacyEntity, organizationId: string, size: number): Promise<LegacyDocument[]>;
  close(): Promise<void>;
}

function organizationsOf(collections: string[]): string[] {
  const found = new Set(
    collections.map((name) => ORGANIZATION_COLLECTION.exec(name)?.[2]).filter((id): id is string => id !== undefined),
  );
  return [...found].sort();
}

/** The original's database, on a MongoDB server. */
export class LerianDatabaseSource implements LerianSource {
  readonly lookedFor = 'holders_<organizationId> or aliases_<organizationId> collection';

  private constructor(
    private readonly connection: Connection,
    readonly name: string,
  ) {}

  static async connect(uri: string, dbName: string, options: mongoose.ConnectOptions = {}): Promise<LerianSource> {
    const connection = await mongoose
      .createConnection(uri, { serverSelectionTimeoutMS: 5000, ...options, dbName })
      .asPromise();
    return new LerianDatabaseSource(connection, `the source database ${dbName}`);
  }

  async organizations(): Promise<string[]> {
    const names = await this.connection.db!.listCollections({}, { nameOnly: true }).toArray();
    return organizationsOf(names.map(({ name }) => name));
  }

  documents(entity: LegacyEntity, organizationId: string, batchSize: number): AsyncIterable<LegacyDocument> {
    return this.connection.db!.collection(`${entity}_${organizationId}`).find({}, { sort: { _id: 1 }, batchSize });
  }

  sample(entity: LegacyEntity, organizationId: string, size: number): Promise<LegacyDocument[]> {
    return this.connection
      .db!.collection(`${entity}_${organizationId}`)
      .find({}, { sort: { _id: 1 }, limit: size })
      .toArray();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** Thrown for an export file that does not parse; names the file, never its content. */
export class ExportFileError extends Error {
  constructor(file: string, reason: string) {
    super(`the export file ${file} is not Extended JSON (${reason})`);
    this.name = 'ExportFileError';
  }
}

/** MongoDB's order of `_id`s of one type: binary by length, subtype, then bytes; strings by code unit. */
function compareIds(a: unknown, b: unknown): number {
  if (a instanceof Binary && b instanceof Binary)
    return a.length() - b.length() || a.sub_type - b.sub_type || Buffer.compare(a.buffer, b.buffer);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const parseEjson = (text: string): unknown => EJSON.parse(text, { relaxed: false });

/** A document as the driver hands it over from a server (int32s and doubles as numbers): through BSON and back. */
const asFromServer = (document: LegacyDocument): LegacyDocument => deserialize(serialize(document));

/**
 * A file's documents, in canonical or relaxed Extended JSON: `{database, collection, documents}` (as
 * the original's fixtures are kept), a JSON array (`mongoexport --jsonArray`), or one document per line
 * (`mongoexport`). Parsed by the bson package, so UUIDs, dates and int32s keep their BSON types.
 */
function readExportFile(file: string): LegacyDocument[] {
  return parseExportFile(file).map(asFromServer);
}

function parseExportFile(file: string): LegacyDocument[] {
  const text = readFileSync(file, 'utf8').trim();
  try {
    if (text === '') return [];
    let whole: unknown;
    try {
      whole = parseEjson(text);
    } catch {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => parseEjson(line) as LegacyDocument);
    }
    if (Array.isArray(whole)) return whole as LegacyDocument[];
    const wrapped = (whole as { documents?: unknown }).documents;
    return Array.isArray(wrapped) ? (wrapped as LegacyDocument[]) : [whole as LegacyDocument];
  } catch (error) {
    throw new ExportFileError(file, (error as Error).message.split('\n')[0].slice(0, 120));
  }
}

/**
 * An Extended JSON export of the original's database in a folder: one `<database>.<collection>.json`
 * file per collection. A file is read (whole) when the run first needs it.
 */
export class LerianExportSource implements LerianSource {
  private readonly cache = new Map<string, LegacyDocument[]>();

  private constructor(
    private readonly dir: string,
    private readonly database: string,
    readonly name: string,
  ) {}

  static open(dir: string, database: string): LerianSource {
    return new LerianExportSource(dir, database, `the export in ${dir}`);
  }

  get lookedFor(): string {
    return `${this.database}.holders_<organizationId>.json or ${this.database}.aliases_<organizationId>.json file`;
  }

  /** The collections of the database that have a file in the folder. */
  private collections(): string[] {
    const prefix = `${this.database}.`;
    return readdirSync(this.dir)
      .filter((file) => file.startsWith(prefix) && file.endsWith('.json'))
      .map((file) => file.slice(prefix.length, -'.json'.length));
  }

  organizations(): Promise<string[]> {
    return Promise.resolve(organizationsOf(this.collections()));
  }

  private all(entity: LegacyEntity, organizationId: string): LegacyDocument[] {
    const collection = `${entity}_${organizationId}`;
    let documents = this.cache.get(collection);
    if (!documents) {
      const file = join(this.dir, `${this.database}.${collection}.json`);
      documents = this.collections().includes(collection) ? readExportFile(file) : [];
      documents.sort((a, b) => compareIds(a._id, b._id));
      this.cache.set(collection, documents);
    }
    return documents;
  }

  documents(entity: LegacyEntity, organizationId: string): AsyncIterable<LegacyDocument> {
    return Readable.from(this.all(entity, organizationId));
  }

  sample(entity: LegacyEntity, organizationId: string, size: number): Promise<LegacyDocument[]> {
    return Promise.resolve(this.all(entity, organizationId).slice(0, size));
  }

  close(): Promise<void> {
    this.cache.clear();
    return Promise.resolve();
  }
}
