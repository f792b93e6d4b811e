import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, EJSON } from 'bson';
import type { Connection } from 'mongoose';

/** Data written by the original Lerian CRM v3.8.0 (see test/fixtures/lerian-crm-v3.8.0/README.md). */
export const LERIAN_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'lerian-crm-v3.8.0');

export interface RawCollection {
  collection: string;
  documents: Document[];
}

export interface ExpectedAnswer {
  organizationId: string;
  response: Record<string, any>;
}

/** The keys the original ran with, as the import reads them (LERIAN_LCRYPTO_*). */
export function lerianFixtureKeys(): {
  LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY: string;
  LERIAN_LCRYPTO_HASH_SECRET_KEY: string;
} {
  const vars = Object.fromEntries(
    readFileSync(join(LERIAN_FIXTURE_DIR, 'keys.env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return {
    LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY: vars.LCRYPTO_ENCRYPT_SECRET_KEY,
    LERIAN_LCRYPTO_HASH_SECRET_KEY: vars.LCRYPTO_HASH_SECRET_KEY,
  };
}

/** Every raw collection, with the BSON types exactly as the original stored them. */
export function lerianRawCollections(): RawCollection[] {
  const dir = join(LERIAN_FIXTURE_DIR, 'raw');
  return readdirSync(dir)
    .sort()
    .map((file) => EJSON.parse(readFileSync(join(dir, file), 'utf8'), { relaxed: false }) as RawCollection);
}

export function lerianExpected(entity: 'holders' | 'aliases'): ExpectedAnswer[] {
  return JSON.parse(readFileSync(join(LERIAN_FIXTURE_DIR, 'expected', `${entity}.json`), 'utf8')) as ExpectedAnswer[];
}

/** Writes the raw collections into a database, as the original's database would hold them. */
export async function loadLerianCollections(
  connection: Connection,
  collections: RawCollection[] = lerianRawCollections(),
): Promise<void> {
  for (const { collection, documents } of collections) {
    if (documents.length > 0)
      await connection.db!.collection(collection).insertMany(documents.map((document) => ({ ...document })));
  }
}

/** A value in the original's legacy format (for building source records the fixture lacks, such as conflicts). */
export function legacyEncrypt(encryptKeyHex: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(encryptKeyHex, 'hex'), nonce);
  return Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString(
    'base64',
  );
}

/** The original's search token of a value (hex HMAC-SHA256 keyed with the hash key string's bytes). */
export function legacyToken(hashKey: string, plaintext: string): string {
  return createHmac('sha256', Buffer.from(hashKey, 'utf8')).update(plaintext, 'utf8').digest('hex');
}
