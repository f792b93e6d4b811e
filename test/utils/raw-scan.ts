import { EJSON } from 'bson';
import { Connection } from 'mongoose';
import { NORMALIZERS } from '@crm/crypto';

/** Every stored byte of a collection, as the plain driver returns it (extended JSON). */
export async function rawCollectionText(connection: Connection, collection: string): Promise<string> {
  const documents = await connection.db!.collection(collection).find({}).toArray();
  return EJSON.stringify(documents);
}

/**
 * Asserts that no value, nor any normalized form of it, appears anywhere in the stored bytes. `present`
 * is the positive control, required: text the scan must see (record ids, fields stored in plain text), so
 * an empty collection, or a scan that reads nothing, can never pass as "no plaintext".
 */
export function expectNoPlaintext(stored: string, values: string[], present: string[]): void {
  if (present.length === 0)
    throw new Error('expectNoPlaintext needs a positive control: text the stored data must contain');
  for (const control of present) {
    if (!stored.includes(control))
      throw new Error(`positive control "${control}" not found in stored data: the scan saw nothing to judge`);
  }
  for (const value of values) {
    const forms = new Set(
      [value, ...Object.values(NORMALIZERS).map((normalize) => normalize(value))].filter((form) => form.length >= 3),
    );
    for (const form of forms) {
      if (stored.includes(form)) throw new Error(`plaintext "${form}" (from a protected value) found in stored data`);
    }
  }
}
