import mongoose, { Connection } from 'mongoose';
import type { LegacyDocument } from './lerian-record.mapper';

const ORGANIZATION_COLLECTION =
  /^(holders|aliases)_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export type LegacyEntity = 'holders' | 'aliases';

/**
 * The original's database, read only: one `holders_<organizationId>` and one
 * `aliases_<organizationId>` collection per organization. Nothing here writes.
 */
export class LerianSource {
  private constructor(private readonly connection: Connection) {}

  static async connect(uri: string, dbName: string, options: mongoose.ConnectOptions = {}): Promise<LerianSource> {
    const connection = await mongoose
      .createConnection(uri, { serverSelectionTimeoutMS: 5000, ...options, dbName })
      .asPromise();
    return new LerianSource(connection);
  }

  /** Organizations that have a holders or an aliases collection, in a stable order. */
  async organizations(): Promise<string[]> {
    const names = (await this.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name);
    const found = new Set(
      names.map((name) => ORGANIZATION_COLLECTION.exec(name)?.[2]).filter((id): id is string => id !== undefined),
    );
    return [...found].sort();
  }

  /** Every document, soft-deleted ones included, in `_id` order (the original's ids are UUIDv7: creation order). */
  documents(entity: LegacyEntity, organizationId: string, batchSize: number): AsyncIterable<LegacyDocument> {
    return this.connection.db!.collection(`${entity}_${organizationId}`).find({}, { sort: { _id: 1 }, batchSize });
  }

  /** The first documents of a collection, to check the keys against before anything is written. */
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
