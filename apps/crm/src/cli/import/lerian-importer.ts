import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { isDuplicateKeyError } from '@crm/errors';
import { insertRecord } from '@crm/persistence';
import { isLoggableMetadataKey } from '@crm/personal-data';
import { toAliasAccountResponse } from '../../alias-account/alias-account.mapper';
import { AliasAccountRepository } from '../../alias-account/alias-account.repository';
import { ALIAS_ACCOUNT_MODEL, AliasAccountRecord } from '../../alias-account/alias-account.schema';
import { toHolderResponse } from '../../holder/holder.mapper';
import { HolderRepository } from '../../holder/holder.repository';
import { HOLDER_MODEL, HolderRecord } from '../../holder/holder.schema';
import { CliProgress } from '../progress';
import { ConflictPolicy, Listed, OrganizationPlan, planOrganization, readers } from './lerian-import.plan';
import { emptyTally, exitCodeOf, formatReport, OrganizationOutcome, WriteTally } from './lerian-import.report';
import { KeyEvidence } from './lerian-key-check';
import { LegacyKeys, LerianLegacyCipher } from './lerian-legacy-cipher';
import { LegacyDocument } from './lerian-record.mapper';
import { describeUnreachableDatabase } from '../failures';
import { ExportFileError, LegacyEntity, LerianDatabaseSource, LerianExportSource, LerianSource } from './lerian-source';

export interface LerianImportOptions {
  sourceUri: string;
  /** The original's database; with sourceDir, the database whose files in that folder are read. */
  sourceDb: string;
  /** A folder holding an Extended JSON export of the original's database, read instead of sourceUri. */
  sourceDir?: string;
  legacyKeys: LegacyKeys;
  /** Organizations to import; all found in the source when empty. */
  organizations: string[];
  dryRun: boolean;
  verify: boolean;
  batchSize: number;
  onConflict: ConflictPolicy;
}

/** A problem that stops the run before anything is written (wrong keys, unknown organization…). */
export class ImportAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportAbort';
  }
}

/** Documents per organization and entity weighed against the legacy keys before any write. */
const KEY_CHECK_SAMPLE = 20;

type Written = HolderRecord | AliasAccountRecord;

/**
 * `import lerian`: reads a Lerian CRM v3.8.0 database (never writing to it), decrypts it with the
 * legacy scheme, and writes every holder and alias through this service's models, so the crypto
 * plugin encrypts, binds and indexes them under this service's own keys. Ids are the idempotency key.
 */
@Injectable()
export class LerianImporter {
  constructor(
    @InjectModel(HOLDER_MODEL) private readonly holderModel: Model<HolderRecord>,
    @InjectModel(ALIAS_ACCOUNT_MODEL) private readonly aliasModel: Model<AliasAccountRecord>,
    private readonly holders: HolderRepository,
    private readonly aliases: AliasAccountRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs the import (or the dry run, or the verification); returns the process exit code. */
  async run(
    options: LerianImportOptions,
    out: NodeJS.WritableStream = process.stdout,
    progress = new CliProgress(process.stderr, 'import lerian'),
  ): Promise<number> {
    const cipher = new LerianLegacyCipher(options.legacyKeys);
    const source = await this.openSource(options);
    try {
      const organizations = await this.organizationsToImport(source, options.organizations);
      await this.checkKeys(source, organizations, cipher);
      const plans: OrganizationPlan[] = [];
      for (const organizationId of organizations)
        plans.push(
          await planOrganization(source, organizationId, cipher, this.config, options.onConflict, options.batchSize),
        );
      if (options.verify) return await this.verify(source, plans, cipher, options.batchSize, out);
      const outcomes: OrganizationOutcome[] = [];
      for (const plan of plans) outcomes.push(await this.importOrganization(source, plan, cipher, options, progress));
      out.write(formatReport(outcomes, options.dryRun));
      return exitCodeOf(outcomes);
    } catch (error) {
      if (error instanceof ExportFileError) throw new ImportAbort(error.message);
      throw error;
    } finally {
      await source.close();
    }
  }

  /** The export in --source-dir, or the original's database (whose server may not answer: one line saying so). */
  private async openSource(options: LerianImportOptions): Promise<LerianSource> {
    if (options.sourceDir) return LerianExportSource.open(options.sourceDir, options.sourceDb);
    // The default source is this service's own server: it takes the same TLS settings.
    const sameServer = options.sourceUri === this.config.mongo.uri && this.config.mongo.tlsCaCert;
    return LerianDatabaseSource.connect(
      options.sourceUri,
      options.sourceDb,
      sameServer ? { tls: true, ca: this.config.mongo.tlsCaCert } : {},
    ).catch((error: unknown) => {
      const unreachable = describeUnreachableDatabase(error, '--source-uri (LERIAN_MONGO_URI)');
      throw unreachable ? new ImportAbort(unreachable) : error;
    });
  }

  private async organizationsToImport(source: LerianSource, requested: string[]): Promise<string[]> {
    const found = await source.organizations();
    // MongoDB lists no collection for a database that does not exist: a mistyped name looks like an empty source.
    if (found.length === 0) throw new ImportAbort(`${source.name} has no ${source.lookedFor}: nothing to import`);
    const missing = requested.filter((organizationId) => !found.includes(organizationId.toLowerCase()));
    if (missing.length > 0)
      throw new ImportAbort(
        `no holders_<id> or aliases_<id> collection in the source for organization ${missing.join(', ')}`,
      );
    return requested.length > 0 ? requested.map((id) => id.toLowerCase()) : found;
  }

  /**
   * The legacy keys must open the source before anything is written. The first documents of every
   * collection are weighed together: the key is refused only when most of them refuse it.
   */
  private async checkKeys(source: LerianSource, organizations: string[], cipher: LerianLegacyCipher): Promise<void> {
    const evidence = new KeyEvidence();
    for (const organizationId of organizations)
      for (const entity of ['holders', 'aliases'] as const)
        for (const raw of await source.sample(entity, organizationId, KEY_CHECK_SAMPLE))
          evidence.add(raw, entity, organizationId, cipher);
    const problem = evidence.problem();
    if (problem) throw new ImportAbort(problem);
  }

  private async importOrganization(
    source: LerianSource,
    plan: OrganizationPlan,
    cipher: LerianLegacyCipher,
    options: LerianImportOptions,
    progress: CliProgress,
  ): Promise<OrganizationOutcome> {
    progress.start(plan.holders.read + plan.aliases.read, `organization ${plan.organizationId}`);
    const holders = await this.importEntity(source, plan, 'holders', cipher, options, progress);
    // An alias is never written without its holder: those of a holder that failed fail too.
    const unwritten = new Set(holders.failed.map(({ id }) => id));
    const aliases = await this.importEntity(source, plan, 'aliases', cipher, options, progress, unwritten);
    progress.stop();
    return { plan, holders, aliases };
  }

  /** Writes the entity's importable records batch by batch; a dry run only counts what it would write. */
  private async importEntity(
    source: LerianSource,
    plan: OrganizationPlan,
    entity: LegacyEntity,
    cipher: LerianLegacyCipher,
    options: LerianImportOptions,
    progress: CliProgress,
    unwrittenHolders = new Set<string>(),
  ): Promise<WriteTally> {
    const tally = emptyTally();
    const model = this.modelOf(entity);
    for await (const records of importedRecords(source, plan, entity, cipher, options.batchSize, (count) =>
      progress.advance(count),
    )) {
      const orphans = records.filter((record) => unwrittenHolders.has((record as AliasAccountRecord).holderId));
      tally.failed.push(
        ...orphans.map((record) => ({
          id: record._id,
          reason: `holder ${(record as AliasAccountRecord).holderId} was not written`,
        })),
      );
      const batch = records.filter((record) => !orphans.includes(record));
      const { present, foreign, absent } = await presenceOf(model, plan.organizationId, batch);
      tally.alreadyPresent += present;
      tally.failed.push(
        ...foreign.map(({ _id }) => ({
          id: _id,
          reason: 'id already used by a record of another organization in this service',
        })),
      );
      const failures = options.dryRun
        ? []
        : (await Promise.all(absent.map((record) => insertOne(model, record, entity)))).filter(
            (failure): failure is Listed => failure !== undefined,
          );
      tally.imported += absent.length - failures.length;
      tally.failed.push(...failures);
      progress.advance(records.length);
    }
    return tally;
  }

  private modelOf(entity: LegacyEntity): Model<Written> {
    return (entity === 'holders' ? this.holderModel : this.aliasModel) as unknown as Model<Written>;
  }

  /** Compares, record by record, what our API answers with what the source holds decrypted. */
  private async verify(
    source: LerianSource,
    plans: OrganizationPlan[],
    cipher: LerianLegacyCipher,
    batchSize: number,
    out: NodeJS.WritableStream,
  ): Promise<number> {
    let differences = 0;
    for (const plan of plans) {
      const compared = { holders: 0, aliases: 0 };
      for (const entity of ['holders', 'aliases'] as const) {
        for await (const batch of importedRecords(source, plan, entity, cipher, batchSize, () => undefined)) {
          for (const record of batch) {
            compared[entity] += 1;
            for (const path of await this.differences(entity, record)) {
              differences += 1;
              out.write(`difference: ${entity === 'holders' ? 'holder' : 'alias'} ${record._id} ${path}\n`);
            }
          }
        }
      }
      const skipped =
        plan.holders.skipped.size +
        plan.aliases.skipped.size +
        plan.holders.unreadable.size +
        plan.aliases.unreadable.size;
      out.write(
        `verify organization ${plan.organizationId}: holders compared ${compared.holders}, aliases compared ${compared.aliases}, not imported (skipped or unreadable) ${skipped}\n`,
      );
    }
    out.write(`verify: ${differences === 0 ? 'no differences' : `${differences} difference(s)`}\n`);
    return differences === 0 ? 0 : 1;
  }

  private async differences(entity: LegacyEntity, record: Written): Promise<string[]> {
    if (entity === 'holders') {
      const holder = record as HolderRecord;
      const ours = await this.holders.findById(holder.organizationId, holder._id, { includeDeleted: true });
      return ours ? differingPaths(toHolderResponse(holder), toHolderResponse(ours)) : ['(missing)'];
    }
    const alias = record as AliasAccountRecord;
    const ours = await this.aliases.findById(alias.organizationId, alias.holderId, alias._id, { includeDeleted: true });
    return ours ? differingPaths(toAliasAccountResponse(alias), toAliasAccountResponse(ours)) : ['(missing)'];
  }
}

/** Which records of a batch are stored already (ids are the idempotency key), under this or another organization. */
async function presenceOf(
  model: Model<Written>,
  organizationId: string,
  batch: Written[],
): Promise<{ present: number; foreign: Written[]; absent: Written[] }> {
  const stored = await model
    .find({ _id: { $in: batch.map(({ _id }) => _id) } }, { _id: 1, organizationId: 1 })
    .lean<Array<{ _id: string; organizationId: string }>>();
  const owner = new Map(stored.map((record) => [record._id, record.organizationId]));
  return {
    present: batch.filter(({ _id }) => owner.get(_id) === organizationId).length,
    foreign: batch.filter(({ _id }) => owner.has(_id) && owner.get(_id) !== organizationId),
    absent: batch.filter(({ _id }) => !owner.has(_id)),
  };
}

/**
 * The source records the plan imports, in batches, decrypted and in the form they are stored in:
 * with the plan's soft-deletions and each holder's live alias count. Records not imported only
 * advance the progress.
 */
async function* importedRecords(
  source: LerianSource,
  plan: OrganizationPlan,
  entity: LegacyEntity,
  cipher: LerianLegacyCipher,
  batchSize: number,
  passOver: (count: number) => void,
): AsyncGenerator<Written[]> {
  const read = readers(plan.organizationId, cipher)[entity] as (raw: LegacyDocument) => {
    id: string;
    record?: Written;
    unreadable?: string;
  };
  let batch: Written[] = [];
  for await (const raw of source.documents(entity, plan.organizationId, batchSize)) {
    const result = read(raw);
    if (!result.record || !plan[entity].importable(result.id)) {
      passOver(1);
      continue;
    }
    const softDeleted = plan[entity].softDeleted.get(result.id);
    const record = { ...result.record, ...(softDeleted ? { deletedAt: softDeleted.at } : {}) };
    batch.push(record);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Written as the repositories write, keeping the original's createdAt/updatedAt; the crypto plugin seals it. */
async function insertOne(model: Model<Written>, record: Written, entity: LegacyEntity): Promise<Listed | undefined> {
  try {
    await insertRecord(
      model as unknown as Model<unknown>,
      structuredClone(record) as unknown as Record<string, unknown>,
      {
        keepTimestamps: true,
      },
    );
    return undefined;
  } catch (error) {
    return { id: record._id, reason: writeFailure(error, entity) };
  }
}

/** Why a write failed, by code and field names: driver messages can quote stored values, so they are not shown. */
function writeFailure(error: unknown, entity: LegacyEntity): string {
  const { code, name, errors } = error as { code?: number; name?: string; errors?: Record<string, unknown> };
  if (isDuplicateKeyError(error))
    return entity === 'holders'
      ? 'a live holder of this service already has this document'
      : 'a live alias of this service already uses this account id';
  if (name === 'ValidationError' && errors) return `refused by the schema: ${Object.keys(errors).join(', ')}`;
  return `write failed (${name ?? 'error'}${code !== undefined ? ` ${code}` : ''})`;
}

/**
 * Dotted paths where two JSON-like values differ (values themselves are never reported; a metadata key
 * that looks like personal data is shown as [REDACTED]). Timestamps are compared as instants.
 */
export function differingPaths(expected: unknown, actual: unknown, path = ''): string[] {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    const shown = (key: string) => (path === 'metadata' && !isLoggableMetadataKey(key) ? '[REDACTED]' : key);
    return keys.flatMap((key) => differingPaths(expected[key], actual[key], path ? `${path}.${shown(key)}` : key));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [`${path} (length)`];
    return expected.flatMap((item, index) => differingPaths(item, actual[index], `${path}[${index}]`));
  }
  return Object.is(expected, actual) || sameInstant(expected, actual) ? [] : [path || '(record)'];
}

/** RFC 3339 timestamps with a time part (the original trims the fraction's trailing zeros; this service does not). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function sameInstant(expected: unknown, actual: unknown): boolean {
  if (typeof expected !== 'string' || typeof actual !== 'string') return false;
  if (!TIMESTAMP.test(expected) || !TIMESTAMP.test(actual)) return false;
  return Date.parse(expected) === Date.parse(actual);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
