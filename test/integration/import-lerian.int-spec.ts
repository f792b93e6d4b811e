import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Binary, Document, EJSON } from 'bson';
import mongoose, { Connection } from 'mongoose';
import { AppConfig, loadConfig } from '@crm/config';
import { NORMALIZERS, ProtectedFields } from '@crm/crypto';
import { ALIAS_PROTECTED_FIELDS } from '../../apps/crm/src/alias-account/alias-account.schema';
import { HOLDER_PROTECTED_FIELDS } from '../../apps/crm/src/holder/holder.schema';
import { CliModule } from '../../apps/crm/src/cli/cli.module';
import { CliProgress } from '../../apps/crm/src/cli/progress';
import { randomKey } from '../factories/keys';
import { ImportModule } from '../../apps/crm/src/cli/import/import.module';
import { ImportAbort, LerianImporter, LerianImportOptions } from '../../apps/crm/src/cli/import/lerian-importer';
import { orgClient } from '../utils/api';
import {
  ExpectedAnswer,
  legacyEncrypt,
  legacyToken,
  lerianExpected,
  LERIAN_FIXTURE_DIR,
  lerianFixtureKeys,
  lerianRawCollections,
  loadLerianCollections,
  RawCollection,
} from '../utils/lerian-fixture';
import { rawCollectionText } from '../utils/raw-scan';
import { startTestApp, TestApp, testEnv } from '../utils/test-app';
import { waitUntil } from '../utils/eventually';

const ROOT = join(__dirname, '..', '..');
const fixtureKeys = lerianFixtureKeys();
const legacyKeys = {
  encryptKey: fixtureKeys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
  hashKey: fixtureKeys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
};
const expectedHolders = lerianExpected('holders');
const expectedAliases = lerianExpected('aliases');
const ORG_1 = '0192f1a8-0000-7000-8000-00000000f001';
const encrypt = (value: string) => legacyEncrypt(legacyKeys.encryptKey, value);
const uuidBinary = (uuid: string) => new Binary(Buffer.from(uuid.replace(/-/g, ''), 'hex'), 0);
const org1 = (entity: 'holders' | 'aliases') =>
  lerianRawCollections().find(({ collection }) => collection === `${entity}_${ORG_1}`)!;

/** Collects what a run prints. */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const dbName = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

async function connect(name: string): Promise<Connection> {
  return mongoose.createConnection(process.env.MONGO_URI!, { dbName: name }).asPromise();
}

/** A source database holding the original's collections, BSON types as in the fixture files. */
async function sourceDatabase(collections?: RawCollection[]): Promise<Connection> {
  const source = await connect(dbName('lerian_src'));
  await loadLerianCollections(source, collections);
  return source;
}

/** The import command's module in-process, against one target database (this service's). */
async function importerFor(config: AppConfig): Promise<{ importer: LerianImporter; close: () => Promise<void> }> {
  const context: INestApplicationContext = await NestFactory.createApplicationContext(
    CliModule.forRoot(config, [ImportModule]),
    { logger: false },
  );
  return { importer: context.get(LerianImporter), close: () => context.close() };
}

async function runImport(
  importer: LerianImporter,
  source: Connection,
  options: Partial<LerianImportOptions> = {},
): Promise<{ code: number; report: string; progress: string }> {
  const report = new Captured();
  const progress = new Captured();
  const code = await importer.run(
    {
      sourceUri: process.env.MONGO_URI!,
      sourceDb: source.name,
      legacyKeys,
      organizations: [],
      dryRun: false,
      verify: false,
      batchSize: 500,
      onConflict: 'report',
      ...options,
    },
    report,
    new CliProgress(progress as unknown as NodeJS.WriteStream, 'import lerian'),
  );
  return { code, report: report.text, progress: progress.text };
}

/** `npm run cli -- import lerian …` as a child process, with the service's env and the original's keys. */
function cli(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/crm/src/cli/main.ts', 'import', 'lerian', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, ...fixtureKeys, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

/**
 * The original's answer in this service's contract. Only deliberate contract changes are applied:
 * - timestamps: the original (Go) trims trailing zeros of the fraction ("…04.79Z"); this service
 *   always writes milliseconds ("…04.790Z", JS toISOString). The instant is compared, not the text.
 * - absent optional fields: the original answers `"line2": null` for an address line never sent;
 *   this service omits absent optional fields (its OpenAPI marks them optional, not nullable).
 */
function inOurContract(response: Record<string, any>): Record<string, any> {
  const withoutNulls = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutNulls);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, item]) => item !== null)
          .map(([key, item]) => [key, withoutNulls(item)]),
      );
    return value;
  };
  const { createdAt, updatedAt, deletedAt, ...rest } = response;
  return {
    ...(withoutNulls(rest) as object),
    createdAt: instant(createdAt),
    updatedAt: instant(updatedAt),
    deletedAt: deletedAt === null ? null : instant(deletedAt),
  };
}

const instant = (text: string) => new Date(text).getTime();

function answerInOurContract(body: Record<string, any>): Record<string, any> {
  const { createdAt, updatedAt, deletedAt, ...rest } = body;
  return {
    ...rest,
    createdAt: instant(createdAt),
    updatedAt: instant(updatedAt),
    deletedAt: deletedAt === null ? null : instant(deletedAt),
  };
}

const aliasPath = ({ response }: ExpectedAnswer) =>
  `/v1/holders/${response.holderId}/aliases/${response.id}?include_deleted=true`;

/** Values at a protected path (`contact.primaryEmail`, `relatedParties[].document`) of an API answer. */
function valuesAt(record: Record<string, any>, path: string): unknown[] {
  const [arrayPath, leaf] = path.includes('[].') ? path.split('[].') : [undefined, path];
  const get = (from: unknown, dotted: string) => dotted.split('.').reduce<any>((value, key) => value?.[key], from);
  return arrayPath
    ? ((get(record, arrayPath) as unknown[] | undefined) ?? []).map((item) => get(item, leaf))
    : [get(record, leaf)];
}

/**
 * Every value at a path our schemas protect (taken from the schemas, so fields protected later are
 * covered too), as the stored text must never hold it: the exact text, and for searchable fields also
 * the normalized form that is hashed. Other normalized forms are not searched: the digits of a name
 * ("Mãe 100" → "100") also occur in fields that are not protected (externalId "EXT-100").
 */
function protectedForms(): string[] {
  const forms = (answers: ExpectedAnswer[], { specs }: ProtectedFields) =>
    answers.flatMap(({ response }) =>
      specs.flatMap((field) =>
        valuesAt(response, field.path)
          .filter((value): value is string => typeof value === 'string')
          .flatMap((value) => [value, ...(field.search ? [NORMALIZERS[field.search.normalizer](value)] : [])]),
      ),
    );
  return [
    ...new Set([...forms(expectedHolders, HOLDER_PROTECTED_FIELDS), ...forms(expectedAliases, ALIAS_PROTECTED_FIELDS)]),
  ];
}

/** A fresh target database (this service's) with its own keys. */
async function freshTarget() {
  const config = loadConfig(testEnv());
  const target = await connect(config.mongo.dbName);
  const { importer, close } = await importerFor(config);
  const counts = async () => ({
    holders: await target.db!.collection('holders').countDocuments(),
    aliases: await target.db!.collection('alias_accounts').countDocuments(),
  });
  return {
    config,
    importer,
    counts,
    close: async () => {
      await close();
      await target.dropDatabase();
      await target.close();
    },
  };
}

describe('import lerian (data written by the original Lerian CRM v3.8.0)', () => {
  let crm: TestApp;
  let source: Connection;
  let target: Connection;
  let firstRun: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    source = await sourceDatabase();
    crm = await startTestApp();
    target = await connect(crm.config.mongo.dbName);
    // The first import runs the real CLI, as an operator would (with the service's env).
    const run = cli(['--source-db', source.name], {
      MONGO_URI: crm.config.mongo.uri,
      MONGO_NAME: crm.config.mongo.dbName,
      LCRYPTO_ENCRYPT_SECRET_KEY: crm.config.crypto.encryptKey,
      LCRYPTO_HASH_SECRET_KEY: crm.config.crypto.hashKey,
      LOG_LEVEL: 'silent',
    });
    firstRun = await run.done;
  }, 120_000);

  afterAll(async () => {
    await source?.dropDatabase();
    await source?.close();
    await target?.close();
    await crm?.close();
  });

  it('the CLI imports every holder and alias and reports per organization', () => {
    expect(firstRun.stderr).not.toMatch(/Error/);
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toContain(`organization ${ORG_1}`);
    expect(firstRun.stdout).toContain('holders  read 6, imported 6, already present 0, skipped 0, failed 0');
    expect(firstRun.stdout).toContain('aliases  read 7, imported 7, already present 0, skipped 0, failed 0');
    // Not a terminal: plain progress lines with count, rate and ETA.
    expect(firstRun.stderr).toMatch(/import lerian organization \S+: \d+\/13 records \(\d+\/s, ETA \S+\)/);
  });

  it('every holder answers GET ?include_deleted=true as the original did', async () => {
    expect(expectedHolders).toHaveLength(12);
    for (const expected of expectedHolders) {
      const answer = await orgClient(crm, expected.organizationId).get(
        `/v1/holders/${expected.response.id}?include_deleted=true`,
      );
      expect(answer.status).toBe(200);
      expect(answerInOurContract(answer.body)).toEqual(inOurContract(expected.response));
    }
  });

  it('every alias answers GET ?include_deleted=true as the original did', async () => {
    expect(expectedAliases).toHaveLength(14);
    for (const expected of expectedAliases) {
      const answer = await orgClient(crm, expected.organizationId).get(aliasPath(expected));
      expect(answer.status).toBe(200);
      expect(answerInOurContract(answer.body)).toEqual(inOurContract(expected.response));
    }
  });

  it('soft-deleted records stay soft-deleted: hidden without include_deleted', async () => {
    const deleted = expectedHolders.find(({ response }) => response.deletedAt !== null)!;
    expect((await orgClient(crm, deleted.organizationId).get(`/v1/holders/${deleted.response.id}`)).status).toBe(404);
    const live = expectedHolders.find(({ response }) => response.deletedAt === null)!;
    expect((await orgClient(crm, live.organizationId).get(`/v1/holders/${live.response.id}`)).status).toBe(200);
  });

  it('imported records are found by document, IBAN, account, participant and related-party document', async () => {
    const live = expectedAliases.filter(({ response }) => response.deletedAt === null);
    for (const { organizationId, response: alias } of live) {
      const client = orgClient(crm, organizationId);
      const ids = async (query: string) =>
        ((await client.get(`/v1/aliases?${query}`)).body.items as Array<{ id: string }>).map(({ id }) => id);
      expect(await ids(`banking_details_iban=${encodeURIComponent(alias.bankingDetails.iban)}`)).toEqual([alias.id]);
      expect(await ids(`banking_details_account=${encodeURIComponent(alias.bankingDetails.account)}`)).toEqual([
        alias.id,
      ]);
      expect(
        await ids(
          `regulatory_fields_participant_document=${encodeURIComponent(alias.regulatoryFields.participantDocument)}`,
        ),
      ).toContain(alias.id);
      expect(await ids(`related_party_document=${encodeURIComponent(alias.relatedParties[0].document)}`)).toContain(
        alias.id,
      );
      expect(await ids(`document=${encodeURIComponent(alias.document)}`)).toContain(alias.id);
    }
    for (const { organizationId, response: holder } of expectedHolders.filter(
      ({ response }) => response.deletedAt === null,
    )) {
      const found = await orgClient(crm, organizationId).get(
        `/v1/holders?document=${encodeURIComponent(holder.document)}`,
      );
      expect(found.body.items.map(({ id }: { id: string }) => id)).toEqual([holder.id]);
    }
    // Format-insensitive, as for records created through the API: "100.007.919-89" is found as digits.
    const formatted = expectedHolders.find(({ response }) => response.document.includes('.'))!;
    const digits = await orgClient(crm, formatted.organizationId).get(
      `/v1/holders?document=${formatted.response.document.replace(/\D/g, '')}`,
    );
    expect(digits.body.items.map(({ id }: { id: string }) => id)).toEqual([formatted.response.id]);
  });

  it('imported aliases are confirmed (none pending): each counts for its holder and is visible', async () => {
    const aliases = await target
      .db!.collection('alias_accounts')
      .find({}, { projection: { pending: 1 } })
      .toArray();
    expect(aliases).toHaveLength(expectedAliases.length);
    expect(aliases.filter((alias) => alias.pending !== undefined)).toEqual([]);
  });

  it('the raw collections hold no plaintext of any protected value', async () => {
    const holders = await rawCollectionText(target, 'holders');
    const aliases = await rawCollectionText(target, 'alias_accounts');
    // Presence first: the records and their non-protected fields are there.
    for (const { response } of expectedHolders) expect(holders).toContain(response.id);
    for (const { response } of expectedAliases) expect(aliases).toContain(response.accountId);
    expect(holders).toContain('EXT-PJ-2');
    const stored = `${holders}\n${aliases}`;
    const forms = protectedForms();
    expect(forms.length).toBeGreaterThan(150);
    for (const form of forms) expect(stored.includes(form) ? form : undefined).toBeUndefined();
  });

  it('the source is never modified', async () => {
    for (const { collection, documents } of lerianRawCollections()) {
      const stored = await source
        .db!.collection(collection)
        .find({}, { sort: { _id: 1 }, promoteValues: false })
        .toArray();
      expect(stored).toEqual(
        documents.sort((a, b) =>
          Buffer.compare(Buffer.from((a._id as Binary).buffer), Buffer.from((b._id as Binary).buffer)),
        ),
      );
    }
  });

  it('a re-run imports nothing twice and changes nothing', async () => {
    const before = {
      holders: await rawCollectionText(target, 'holders'),
      aliases: await rawCollectionText(target, 'alias_accounts'),
    };
    const { importer, close } = await importerFor(crm.config);
    try {
      const again = await runImport(importer, source);
      expect(again.code).toBe(0);
      expect(again.report).toContain('holders  read 6, imported 0, already present 6, skipped 0, failed 0');
      expect(again.report).toContain('aliases  read 7, imported 0, already present 7, skipped 0, failed 0');
      const dry = await runImport(importer, source, { dryRun: true });
      expect(dry.report).toContain('holders  read 6, to import 0, already present 6, skipped 0, failed 0');
    } finally {
      await close();
    }
    expect(await rawCollectionText(target, 'holders')).toBe(before.holders);
    expect(await rawCollectionText(target, 'alias_accounts')).toBe(before.aliases);
  });

  it('--verify finds no difference, and names the record and field of one', async () => {
    const { importer, close } = await importerFor(crm.config);
    try {
      const clean = await runImport(importer, source, { verify: true });
      expect(clean.report).toContain('verify: no differences');
      expect(clean.report).toContain(`verify organization ${ORG_1}: holders compared 6, aliases compared 7`);
      expect(clean.code).toBe(0);

      const changed = expectedHolders.find(({ response }) => response.deletedAt === null)!;
      const patched = await orgClient(crm, changed.organizationId).patch(`/v1/holders/${changed.response.id}`, {
        contact: { primaryEmail: 'changed@example.com' },
      });
      expect(patched.status).toBe(200);
      const dirty = await runImport(importer, source, { verify: true });
      expect(dirty.code).toBe(1);
      expect(dirty.report).toContain(`difference: holder ${changed.response.id} contact.primaryEmail`);
      expect(dirty.report).toContain(`difference: holder ${changed.response.id} updatedAt`);
      expect(dirty.report).not.toContain('changed@example.com');
      expect(dirty.report).not.toContain(changed.response.contact.primaryEmail);
    } finally {
      await close();
    }
  });
});

describe('import lerian: runs that must not write, or write only part', () => {
  let source: Connection;

  beforeAll(async () => {
    source = await sourceDatabase();
  });

  afterAll(async () => {
    await source.dropDatabase();
    await source.close();
  });

  it('a wrong legacy encryption or hash key is a clear error before anything is written', async () => {
    const fresh = await freshTarget();
    try {
      const wrongEncryption = runImport(fresh.importer, source, {
        legacyKeys: { ...legacyKeys, encryptKey: randomKey() },
      });
      await expect(wrongEncryption).rejects.toThrow(ImportAbort);
      await expect(wrongEncryption).rejects.toThrow(
        /legacy encryption key \(LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY\) does not open the source data.*Nothing was written/,
      );
      await expect(
        runImport(fresh.importer, source, { legacyKeys: { ...legacyKeys, hashKey: 'not-the-hash-key' } }),
      ).rejects.toThrow(/legacy hash key \(LERIAN_LCRYPTO_HASH_SECRET_KEY\) does not match/);
      expect(await fresh.counts()).toEqual({ holders: 0, aliases: 0 });
      // Counterpart: with the right keys the same target receives everything.
      expect((await runImport(fresh.importer, source)).code).toBe(0);
      expect(await fresh.counts()).toEqual({ holders: 12, aliases: 14 });
    } finally {
      await fresh.close();
    }
  });

  it('the CLI exits non-zero with the reason when the legacy key is wrong', async () => {
    const fresh = await freshTarget();
    try {
      const result = await spawnWithWrongKey(fresh.config, source.name);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^import lerian: the legacy encryption key \(LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY\) does not open the source data/m,
      );
      expect(await fresh.counts()).toEqual({ holders: 0, aliases: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('a source database that does not exist, or holds no holders_*/aliases_* collection, is an error naming it', async () => {
    const fresh = await freshTarget();
    const unrelated = await connect(dbName('lerian_unrelated'));
    try {
      // Collections that look close but are not the original's: no organization id, another entity.
      await unrelated.db!.collection('holders').insertOne({ _id: 'x' } as unknown as Document);
      await unrelated.db!.collection(`accounts_${ORG_1}`).insertOne({ _id: 'y' } as unknown as Document);
      for (const source of [{ name: dbName('lerianx') } as Connection, unrelated]) {
        const run = runImport(fresh.importer, source);
        await expect(run).rejects.toThrow(ImportAbort);
        await expect(run).rejects.toThrow(
          `the source database ${source.name} has no holders_<organizationId> or aliases_<organizationId> collection: nothing to import`,
        );
      }
      expect(await fresh.counts()).toEqual({ holders: 0, aliases: 0 });

      const missing = dbName('lerianx');
      const result = await cli(['--source-db', missing], {
        MONGO_URI: fresh.config.mongo.uri,
        MONGO_NAME: fresh.config.mongo.dbName,
        LCRYPTO_ENCRYPT_SECRET_KEY: fresh.config.crypto.encryptKey,
        LCRYPTO_HASH_SECRET_KEY: fresh.config.crypto.hashKey,
        LOG_LEVEL: 'silent',
      }).done;
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        `import lerian: the source database ${missing} has no holders_<organizationId> or aliases_<organizationId> collection: nothing to import`,
      ]);
    } finally {
      await unrelated.dropDatabase();
      await unrelated.close();
      await fresh.close();
    }
  });

  it('works when the operator keeps the same key values: they are used per our scheme, no legacy ciphertext is copied', async () => {
    const config = loadConfig(
      testEnv({ LCRYPTO_ENCRYPT_SECRET_KEY: legacyKeys.encryptKey, LCRYPTO_HASH_SECRET_KEY: legacyKeys.hashKey }),
    );
    const target = await connect(config.mongo.dbName);
    const { importer, close } = await importerFor(config);
    try {
      expect((await runImport(importer, source)).code).toBe(0);
      expect((await runImport(importer, source, { verify: true })).code).toBe(0);
      const stored = (await target.db!.collection('holders').find({}).toArray()).concat(
        await target.db!.collection('alias_accounts').find({}).toArray(),
      );
      expect(stored).toHaveLength(26);
      // Our envelope (HKDF subkey, AAD) and our per-field tokens, not the original's values.
      for (const record of stored) expect(record.document).toMatch(/^v1:[0-9a-f]{8}:/);
      const text = JSON.stringify(stored);
      for (const { documents } of lerianRawCollections()) {
        for (const legacy of documents) {
          expect(text).not.toContain(legacy.document);
          expect(text).not.toContain(legacy.search.document);
        }
      }
    } finally {
      await close();
      await target.dropDatabase();
      await target.close();
    }
  });

  it('a record that collides with a live record of this service fails with its id and reason, and so do its aliases', async () => {
    const env = testEnv();
    const crm = await startTestApp(env);
    const { importer, close } = await importerFor(crm.config);
    try {
      const holder = expectedHolders.find(({ response }) => response.externalId === 'EXT-0')!;
      const created = await orgClient(crm, holder.organizationId).post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Someone Else',
        document: holder.response.document,
      });
      expect(created.status).toBe(201);
      const run = await runImport(importer, source);
      expect(run.code).toBe(1);
      expect(run.report).toContain(
        `failed holder ${holder.response.id}: a live holder of this service already has this document`,
      );
      const aliasOfHolder = expectedAliases.find(({ response }) => response.holderId === holder.response.id)!;
      expect(run.report).toContain(
        `failed alias ${aliasOfHolder.response.id}: holder ${holder.response.id} was not written`,
      );
      expect(run.report).toContain('holders  read 6, imported 5, already present 0, skipped 0, failed 1');
      expect(run.report).not.toContain(holder.response.document);
      expect((await orgClient(crm, holder.organizationId).get(aliasPath(aliasOfHolder))).status).toBe(404);
      expect((await orgClient(crm, holder.organizationId).get(`/v1/holders/${created.body.id}`)).body.name).toBe(
        'Someone Else',
      );
    } finally {
      await close();
      await crm.close();
    }
  });

  it('an alias that fails to write leaves its holder counting only the live aliases stored', async () => {
    const env = testEnv();
    const crm = await startTestApp(env);
    const { importer, close } = await importerFor(crm.config);
    try {
      const alias = expectedAliases.find(({ response }) => response.deletedAt === null)!;
      const client = orgClient(crm, alias.organizationId);
      // This service already has a live alias of the same account id (another holder, another ledger).
      const owner = await client.post('/v1/holders', {
        type: 'NATURAL_PERSON',
        name: 'Someone Else',
        document: '98989898989',
      });
      const taken = await client.post(`/v1/holders/${owner.body.id}/aliases`, {
        ledgerId: randomUUID(),
        accountId: alias.response.accountId,
      });
      expect(taken.status).toBe(201);
      const run = await runImport(importer, source);
      expect(run.report).toContain(
        `failed alias ${alias.response.id}: a live alias of this service already uses this account id`,
      );
      // The holder is deletable exactly when its stored aliases allow it.
      const deletion = await client.delete(`/v1/holders/${alias.response.holderId}`);
      expect(deletion.status).toBe(
        (await client.get(`/v1/aliases?holder_id=${alias.response.holderId}`)).body.items.length === 0 ? 204 : 400,
      );
    } finally {
      await close();
      await crm.close();
    }
  });

  it('a record that does not decrypt (past the key check) fails with its id; the rest is imported', async () => {
    const collections = lerianRawCollections();
    const holders = collections.find(({ collection }) => collection === `holders_${ORG_1}`)!.documents;
    const corrupted = holders[holders.length - 1];
    const tampered = Buffer.from(corrupted.name, 'base64');
    tampered[20] ^= 1;
    corrupted.name = tampered.toString('base64');
    const corruptedSource = await sourceDatabase(collections);
    const fresh = await freshTarget();
    try {
      const run = await runImport(fresh.importer, corruptedSource, { organizations: [ORG_1] });
      expect(run.code).toBe(1);
      expect(run.report).toContain(
        `failed holder ${uuidOf(corrupted._id)}: legacy ciphertext does not decrypt (authentication failed)`,
      );
      expect(run.report).toContain('holders  read 6, imported 5, already present 0, skipped 0, failed 1');
      expect(await fresh.counts()).toEqual({ holders: 5, aliases: 7 });
    } finally {
      await fresh.close();
      await corruptedSource.dropDatabase();
      await corruptedSource.close();
    }
  });

  it('--dry-run reads and judges everything and writes nothing', async () => {
    const fresh = await freshTarget();
    try {
      const dry = await runImport(fresh.importer, source, { dryRun: true });
      expect(dry.code).toBe(0);
      expect(dry.report).toContain(`organization ${ORG_1} (dry run: nothing written)`);
      expect(dry.report).toContain('holders  read 6, to import 6, already present 0, skipped 0, failed 0');
      expect(await fresh.counts()).toEqual({ holders: 0, aliases: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('a run killed midway continues on the next run to the same final state', async () => {
    const fresh = await freshTarget();
    try {
      const run = cli(['--source-db', source.name, '--batch', '1'], {
        MONGO_URI: fresh.config.mongo.uri,
        MONGO_NAME: fresh.config.mongo.dbName,
        LCRYPTO_ENCRYPT_SECRET_KEY: fresh.config.crypto.encryptKey,
        LCRYPTO_HASH_SECRET_KEY: fresh.config.crypto.hashKey,
        LOG_LEVEL: 'silent',
      });
      // The first progress line comes after the first record is written: kill it there.
      expect(await waitUntil(() => /records \(/.test(run.output().stderr), { timeoutMs: 60_000, intervalMs: 5 })).toBe(
        true,
      );
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(killed.signal).toBe('SIGKILL');
      const partial = await fresh.counts();
      expect(partial.holders).toBeGreaterThan(0);

      const resumed = await runImport(fresh.importer, source);
      expect(resumed.code).toBe(0);
      expect(await fresh.counts()).toEqual({ holders: 12, aliases: 14 });
      const verified = await runImport(fresh.importer, source, { verify: true });
      expect(verified.report).toContain('verify: no differences');
      expect(verified.code).toBe(0);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});

function spawnWithWrongKey(config: AppConfig, sourceDb: string) {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/crm/src/cli/main.ts', 'import', 'lerian', '--source-db', sourceDb],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        MONGO_URI: config.mongo.uri,
        MONGO_NAME: config.mongo.dbName,
        LCRYPTO_ENCRYPT_SECRET_KEY: config.crypto.encryptKey,
        LCRYPTO_HASH_SECRET_KEY: config.crypto.hashKey,
        LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY: randomKey(),
        LERIAN_LCRYPTO_HASH_SECRET_KEY: fixtureKeys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
        LOG_LEVEL: 'silent',
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
}

describe('import lerian: conflicts are reported, not guessed', () => {
  const first = org1('holders').documents[0];
  const firstAlias = org1('aliases').documents[0];
  // Ids sort after the fixture's (UUIDv7 of a later time): created later than the records they clash with.
  const DUPLICATE_HOLDER = '01a209ad-ffff-7000-8000-000000000001';
  const UNKNOWN_TYPE_HOLDER = '01a209ad-ffff-7000-8000-000000000002';
  const DUPLICATE_ALIAS = '01a209ad-ffff-7000-8000-000000000003';
  const ALIAS_OF_DELETED_HOLDER = '01a209ad-ffff-7000-8000-000000000004';
  const deletedHolder = org1('holders').documents.find((holder) => holder.deleted_at !== null)!;
  const later = new Date(first.created_at.getTime() + 3_600_000);

  /**
   * The first organization plus: a live holder whose document differs only in formatting, a type outside
   * the enum, a second live alias of one account, and a live alias of a soft-deleted holder.
   */
  function conflictingSource(): RawCollection[] {
    const holders: Document[] = [
      ...org1('holders').documents,
      {
        ...first,
        _id: uuidBinary(DUPLICATE_HOLDER),
        document: encrypt('100.000.000-19'),
        external_id: 'DUP',
        created_at: later,
        updated_at: later,
      },
      {
        ...first,
        _id: uuidBinary(UNKNOWN_TYPE_HOLDER),
        type: 'TRUST',
        document: encrypt('55566677788'),
        created_at: later,
        updated_at: later,
      },
    ];
    const aliases: Document[] = [
      ...org1('aliases').documents,
      { ...firstAlias, _id: uuidBinary(DUPLICATE_ALIAS), related_parties: [], created_at: later, updated_at: later },
      {
        ...firstAlias,
        _id: uuidBinary(ALIAS_OF_DELETED_HOLDER),
        holder_id: deletedHolder._id,
        account_id: '0192f1a8-0000-7000-8000-000000009999',
        related_parties: [],
        created_at: later,
        updated_at: later,
      },
    ];
    return [
      { collection: `holders_${ORG_1}`, documents: holders },
      { collection: `aliases_${ORG_1}`, documents: aliases },
    ];
  }

  let source: Connection;
  beforeAll(async () => {
    source = await sourceDatabase(conflictingSource());
  });
  afterAll(async () => {
    await source.dropDatabase();
    await source.close();
  });

  async function importWith(onConflict: LerianImportOptions['onConflict']) {
    const config = loadConfig(testEnv());
    const target = await connect(config.mongo.dbName);
    const { importer, close } = await importerFor(config);
    try {
      const run = await runImport(importer, source, { onConflict });
      const holders = await target
        .db!.collection('holders')
        .find({}, { projection: { _id: 1, deletedAt: 1 } })
        .toArray();
      const aliases = await target
        .db!.collection('alias_accounts')
        .find({}, { projection: { _id: 1, deletedAt: 1 } })
        .toArray();
      return {
        run,
        holders: new Map(holders.map((h) => [h._id as unknown as string, h])),
        aliases: new Map(aliases.map((a) => [a._id as unknown as string, a])),
      };
    } finally {
      await close();
      await target.dropDatabase();
      await target.close();
    }
  }

  it('by default both sides of a conflict are skipped and listed with id and reason (exit 3)', async () => {
    const { run, holders, aliases } = await importWith('report');
    expect(run.code).toBe(3);
    const holderId = uuidOf(first._id);
    const aliasId = uuidOf(firstAlias._id);
    expect(run.report).toContain(
      `skipped holder ${holderId}: same normalized document: live holder ${DUPLICATE_HOLDER} too`,
    );
    expect(run.report).toContain(
      `skipped holder ${DUPLICATE_HOLDER}: same normalized document: live holder ${holderId} too`,
    );
    expect(run.report).toMatch(new RegExp(`skipped holder ${UNKNOWN_TYPE_HOLDER}: CRM-0004 type`));
    // The first holder is skipped, so are its aliases; the duplicate alias's account then has one live alias left.
    expect(run.report).toContain(`skipped alias ${aliasId}: holder ${holderId} is not imported`);
    expect(run.report).toContain(`skipped alias ${DUPLICATE_ALIAS}: holder ${holderId} is not imported`);
    expect(holders.has(holderId)).toBe(false);
    expect(holders.has(DUPLICATE_HOLDER)).toBe(false);
    expect(holders.has(UNKNOWN_TYPE_HOLDER)).toBe(false);
    expect(run.report).toContain(
      `skipped alias ${ALIAS_OF_DELETED_HOLDER}: live alias of deleted holder ${uuidOf(deletedHolder._id)}`,
    );
    expect(aliases.has(ALIAS_OF_DELETED_HOLDER)).toBe(false);
    expect(holders.size).toBe(5);
    expect(aliases.size).toBe(6);
    expect(run.report).not.toContain('100.000.000-19');
    expect(run.report).not.toContain('10000000019');
  });

  it('keep-first imports the earliest created record of a conflict and skips the rest', async () => {
    const { run, holders, aliases } = await importWith('keep-first');
    const holderId = uuidOf(first._id);
    expect(run.code).toBe(3);
    expect(run.report).toContain(
      `skipped holder ${DUPLICATE_HOLDER}: same normalized document as live holder ${holderId}, kept as the first created`,
    );
    expect(run.report).toContain(
      `skipped alias ${DUPLICATE_ALIAS}: same account id as live alias ${uuidOf(firstAlias._id)}, kept as the first created`,
    );
    expect(holders.has(holderId)).toBe(true);
    expect(holders.has(DUPLICATE_HOLDER)).toBe(false);
    expect(aliases.has(uuidOf(firstAlias._id))).toBe(true);
    expect(aliases.has(DUPLICATE_ALIAS)).toBe(false);
  });

  it('soft-delete-rest imports the rest of a conflict soft-deleted', async () => {
    const { run, holders, aliases } = await importWith('soft-delete-rest');
    expect(run.report).toContain(
      `soft-deleted holder ${DUPLICATE_HOLDER}: same normalized document as live holder ${uuidOf(first._id)}, kept as the first created`,
    );
    expect(holders.get(DUPLICATE_HOLDER)!.deletedAt).toEqual(later);
    expect(holders.get(uuidOf(first._id))!.deletedAt).toBeNull();
    expect(aliases.get(DUPLICATE_ALIAS)!.deletedAt).toEqual(later);
    expect(aliases.get(uuidOf(firstAlias._id))!.deletedAt).toBeNull();
    expect(run.report).toContain(
      `soft-deleted alias ${ALIAS_OF_DELETED_HOLDER}: live alias of deleted holder ${uuidOf(deletedHolder._id)}`,
    );
    expect(aliases.get(ALIAS_OF_DELETED_HOLDER)!.deletedAt).toEqual(later);
    // The type outside the enum has no "first": it is still skipped.
    expect(holders.has(UNKNOWN_TYPE_HOLDER)).toBe(false);
    expect(run.code).toBe(3);
  });
});

describe('import lerian: malformed source records are reported by id and skipped, never fatal', () => {
  const token = (value: string) => legacyToken(legacyKeys.hashKey, value);
  const firstHolder = org1('holders').documents[0];
  const firstAlias = org1('aliases').documents[0];

  /** A live holder of the first organization with its own id and document (and the matching search token). */
  const holderLike = (id: string, document: string, overrides: Document = {}): Document => ({
    ...firstHolder,
    _id: uuidBinary(id),
    document: encrypt(document),
    search: { document: token(document) },
    ...overrides,
  });

  /** A live alias of the first holder with its own id and account id, and no related party. */
  const aliasLike = (id: string, overrides: Document = {}): Document => ({
    ...firstAlias,
    _id: uuidBinary(id),
    account_id: `0192f1a8-0000-7000-8000-${id.slice(-12)}`,
    related_parties: [],
    ...overrides,
  });

  /** The first organization of the fixture plus the given records. */
  async function sourceWith(holders: Document[], aliases: Document[]): Promise<Connection> {
    return sourceDatabase([
      { collection: `holders_${ORG_1}`, documents: [...org1('holders').documents, ...holders] },
      { collection: `aliases_${ORG_1}`, documents: [...org1('aliases').documents, ...aliases] },
    ]);
  }

  async function dropSource(connection: Connection): Promise<void> {
    await connection.dropDatabase();
    await connection.close();
  }

  /** A ciphertext of the original whose authentication tag no longer matches (a flipped byte). */
  const tampered = (value: string) => {
    const bytes = Buffer.from(encrypt(value), 'base64');
    bytes[14] ^= 1;
    return bytes.toString('base64');
  };

  it('reserved metadata keys and related_parties that are not a list of objects: each record skipped with id and reason, the rest imported (CLI, exit 3)', async () => {
    const RESERVED_KEY = '01a209ad-ffff-7000-8000-0000000000a1';
    const RESERVED_PATH = '01a209ad-ffff-7000-8000-0000000000a2';
    const PARTIES = {
      string: '01a209ad-ffff-7000-8000-0000000000a3',
      object: '01a209ad-ffff-7000-8000-0000000000a4',
      number: '01a209ad-ffff-7000-8000-0000000000a5',
      'list of null': '01a209ad-ffff-7000-8000-0000000000a6',
    };
    const malformed = await sourceWith(
      [
        holderLike(RESERVED_KEY, '20000000001', { metadata: { constructor: 'x' } }),
        holderLike(RESERVED_PATH, '20000000002', { metadata: { constructor: { prototype: { x: 1 } } } }),
      ],
      [
        aliasLike(PARTIES.string, { related_parties: 'a string' }),
        aliasLike(PARTIES.object, { related_parties: { name: 'Someone', role: 'PRIMARY_HOLDER' } }),
        aliasLike(PARTIES.number, { related_parties: 42 }),
        aliasLike(PARTIES['list of null'], { related_parties: [null] }),
      ],
    );
    const crm = await startTestApp();
    try {
      const run = await cli(['--source-db', malformed.name], {
        MONGO_URI: crm.config.mongo.uri,
        MONGO_NAME: crm.config.mongo.dbName,
        LCRYPTO_ENCRYPT_SECRET_KEY: crm.config.crypto.encryptKey,
        LCRYPTO_HASH_SECRET_KEY: crm.config.crypto.hashKey,
        LOG_LEVEL: 'silent',
      }).done;
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.stdout).toContain('holders  read 8, imported 6, already present 0, skipped 2, failed 0');
      expect(run.stdout).toContain('aliases  read 11, imported 7, already present 0, skipped 4, failed 0');
      for (const id of [RESERVED_KEY, RESERVED_PATH])
        expect(run.stdout).toContain(
          `skipped holder ${id}: CRM-0004 metadata: "constructor" is reserved and cannot be a key.`,
        );
      // The codes the API answers for the same bodies (a null party is a missing one).
      expect(run.stdout).toContain(`skipped alias ${PARTIES.string}: CRM-0004 relatedParties\n`);
      expect(run.stdout).toContain(`skipped alias ${PARTIES.object}: CRM-0004 relatedParties\n`);
      expect(run.stdout).toContain(`skipped alias ${PARTIES.number}: CRM-0004 relatedParties\n`);
      expect(run.stdout).toContain(`skipped alias ${PARTIES['list of null']}: CRM-0003 relatedParties.0\n`);
      expect(run.stdout).not.toContain('Someone');
      expect(run.code).toBe(3);
      const client = orgClient(crm, ORG_1);
      expect((await client.get(`/v1/holders/${RESERVED_KEY}?include_deleted=true`)).status).toBe(404);
      expect((await client.get(`/v1/holders/${uuidOf(firstHolder._id)}`)).status).toBe(200);
      expect((await client.get(`/v1/holders/${uuidOf(firstHolder._id)}/aliases/${PARTIES.string}`)).status).toBe(404);
    } finally {
      await crm.close();
      await dropSource(malformed);
    }
  }, 120_000);

  it('bad records among the first ones by _id do not pass for a wrong key: they are named, the rest is imported', async () => {
    // Ids before the fixture's: these come first in `_id` order, where the keys are checked.
    const TAMPERED_HOLDER = '01a209ad-0000-7000-8000-000000000001';
    const NOT_CIPHERTEXT_HOLDER = '01a209ad-0000-7000-8000-000000000002';
    const STALE_TOKEN_HOLDER = '01a209ad-0000-7000-8000-000000000003';
    const TAMPERED_ALIAS = '01a209ad-0000-7000-8000-000000000004';
    const bad = await sourceWith(
      [
        holderLike(TAMPERED_HOLDER, '20000000011', { document: tampered('20000000011') }),
        holderLike(NOT_CIPHERTEXT_HOLDER, '20000000012', { document: 'not a ciphertext' }),
        holderLike(STALE_TOKEN_HOLDER, '20000000013', { search: { document: token('20000000099') } }),
      ],
      [aliasLike(TAMPERED_ALIAS, { document: tampered('20000000014') })],
    );
    const { importer, counts, close } = await freshTarget();
    try {
      // The counterpart: a wrong key is still a wrong key with these records in the source.
      await expect(
        runImport(importer, bad, { legacyKeys: { ...legacyKeys, encryptKey: randomKey() } }),
      ).rejects.toThrow(/legacy encryption key \(LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY\) does not open the source data/);
      await expect(
        runImport(importer, bad, { legacyKeys: { ...legacyKeys, hashKey: 'not-the-hash-key' } }),
      ).rejects.toThrow(/legacy hash key \(LERIAN_LCRYPTO_HASH_SECRET_KEY\) does not match/);
      expect(await counts()).toEqual({ holders: 0, aliases: 0 });

      const run = await runImport(importer, bad);
      expect(run.report).toContain(
        `failed holder ${TAMPERED_HOLDER}: legacy ciphertext does not decrypt (authentication failed)`,
      );
      expect(run.report).toContain(
        `failed holder ${NOT_CIPHERTEXT_HOLDER}: legacy ciphertext does not decrypt (not a legacy ciphertext)`,
      );
      expect(run.report).toContain(
        `failed alias ${TAMPERED_ALIAS}: legacy ciphertext does not decrypt (authentication failed)`,
      );
      // A stale search token of the original does not matter here: tokens are recomputed from the value.
      expect(run.report).not.toContain(STALE_TOKEN_HOLDER);
      expect(run.report).toContain('holders  read 9, imported 7, already present 0, skipped 0, failed 2');
      expect(run.report).toContain('aliases  read 8, imported 7, already present 0, skipped 0, failed 1');
      expect(run.code).toBe(1);
      expect(await counts()).toEqual({ holders: 7, aliases: 7 });
    } finally {
      await close();
      await dropSource(bad);
    }
  });

  it('a value the API refuses is refused on import: a document with NUL and control characters is skipped, not served', async () => {
    const NUL_HOLDER = '01a209ad-ffff-7000-8000-0000000000b1';
    const NUL_ALIAS = '01a209ad-ffff-7000-8000-0000000000b2';
    const document = '200\u0000000\u0007000\u001b21';
    const refused = await sourceWith(
      [holderLike(NUL_HOLDER, document)],
      [aliasLike(NUL_ALIAS, { document: encrypt(document) })],
    );
    const crm = await startTestApp();
    const { importer, close } = await importerFor(crm.config);
    try {
      const client = orgClient(crm, ORG_1);
      // The API's answer to the same value, for comparison.
      const api = await client.post('/v1/holders', { type: 'NATURAL_PERSON', name: 'Ana Maria', document });
      expect([api.status, api.body.code]).toEqual([400, 'CRM-0004']);

      const run = await runImport(importer, refused);
      expect(run.report).toContain(
        `skipped holder ${NUL_HOLDER}: CRM-0004 document: Strings must not contain NUL characters.`,
      );
      expect(run.report).toContain(
        `skipped alias ${NUL_ALIAS}: CRM-0004 document: Strings must not contain NUL characters.`,
      );
      expect(run.report).toContain('holders  read 7, imported 6, already present 0, skipped 1, failed 0');
      expect(run.report).toContain('aliases  read 8, imported 7, already present 0, skipped 1, failed 0');
      expect(run.report).not.toContain('\u0000');
      expect(run.code).toBe(3);
      expect((await client.get(`/v1/holders/${NUL_HOLDER}?include_deleted=true`)).status).toBe(404);
      expect(
        (await client.get(`/v1/holders/${uuidOf(firstHolder._id)}/aliases/${NUL_ALIAS}?include_deleted=true`)).status,
      ).toBe(404);
    } finally {
      await close();
      await crm.close();
      await dropSource(refused);
    }
  });
});

describe('import lerian --source-dir (an Extended JSON export of the original database)', () => {
  const RAW_DIR = join(LERIAN_FIXTURE_DIR, 'raw');
  const scratch = mkdtempSync(join(tmpdir(), 'crm-lerian-export-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const serviceEnv = (config: AppConfig) => ({
    MONGO_URI: config.mongo.uri,
    MONGO_NAME: config.mongo.dbName,
    LCRYPTO_ENCRYPT_SECRET_KEY: config.crypto.encryptKey,
    LCRYPTO_HASH_SECRET_KEY: config.crypto.hashKey,
    LOG_LEVEL: 'silent',
  });

  it('the CLI imports the export as it imports the database: same report, verify clean, a re-run imports nothing', async () => {
    const [fromDatabase, fromExport] = [await freshTarget(), await freshTarget()];
    const source = await sourceDatabase();
    try {
      const viaDatabase = await runImport(fromDatabase.importer, source);
      const env = serviceEnv(fromExport.config);
      const viaExport = await cli(['--source-dir', RAW_DIR], env).done;
      expect([viaExport.code, viaExport.stdout]).toEqual([0, viaDatabase.report]);
      expect(viaExport.stdout).toContain('holders  read 6, imported 6, already present 0, skipped 0, failed 0');
      expect(await fromExport.counts()).toEqual(await fromDatabase.counts());

      expect((await cli(['--source-dir', RAW_DIR, '--verify'], env).done).code).toBe(0);
      const again = await cli(['--source-dir', RAW_DIR], env).done;
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('holders  read 6, imported 0, already present 6, skipped 0, failed 0');
      expect(again.stdout).toContain('aliases  read 7, imported 0, already present 7, skipped 0, failed 0');
    } finally {
      await source.dropDatabase();
      await source.close();
      await fromDatabase.close();
      await fromExport.close();
    }
  });

  it('reads mongoexport files too (one document per line), and only the files of the named database', async () => {
    const dir = join(scratch, 'mongoexport');
    const fresh = await freshTarget();
    try {
      const collections = lerianRawCollections();
      mkdirSync(dir);
      for (const { collection, documents } of collections)
        writeFileSync(
          join(dir, `crm.${collection}.json`),
          documents.map((document) => EJSON.stringify(document, { relaxed: false })).join('\n'),
        );
      writeFileSync(join(dir, `other.holders_${ORG_1}.json`), 'not read: another database');
      const run = await runImport(fresh.importer, { name: 'crm' } as Connection, { sourceDir: dir });
      expect(run.code).toBe(0);
      expect(run.report).toContain('holders  read 6, imported 6, already present 0, skipped 0, failed 0');
    } finally {
      await fresh.close();
    }
  });

  it("an export without the database's files, or with a file that is not Extended JSON, is an error naming it", async () => {
    const fresh = await freshTarget();
    const broken = join(scratch, 'broken');
    try {
      const empty = mkdtempSync(join(scratch, 'empty-'));
      for (const [dir, db] of [
        [empty, 'crm'],
        [RAW_DIR, 'lerianx'],
      ])
        await expect(runImport(fresh.importer, { name: db } as Connection, { sourceDir: dir })).rejects.toThrow(
          `the export in ${dir} has no ${db}.holders_<organizationId>.json or ${db}.aliases_<organizationId>.json file: nothing to import`,
        );
      mkdirSync(broken);
      for (const file of readdirSync(RAW_DIR)) copyFileSync(join(RAW_DIR, file), join(broken, file));
      writeFileSync(join(broken, `crm.holders_${ORG_1}.json`), '{"documents": [{"_id": {"$binary": 12}}]}');
      await expect(runImport(fresh.importer, { name: 'crm' } as Connection, { sourceDir: broken })).rejects.toThrow(
        new RegExp(`^the export file ${join(broken, `crm.holders_${ORG_1}.json`)} is not Extended JSON \\(`),
      );
      expect(await fresh.counts()).toEqual({ holders: 0, aliases: 0 });
    } finally {
      await fresh.close();
    }
  });
});

function uuidOf(id: unknown): string {
  const hex = Buffer.from((id as Binary).buffer).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
