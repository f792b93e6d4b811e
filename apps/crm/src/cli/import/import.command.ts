import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { runCommandGroup } from '../command-group';
import { CliProgress } from '../progress';
import { ConflictPolicy } from './lerian-import.plan';
import { ImportAbort, LerianImporter, LerianImportOptions } from './lerian-importer';
import { LegacyKeys } from './lerian-legacy-cipher';

const CONFLICT_POLICIES: ConflictPolicy[] = ['report', 'keep-first', 'soft-delete-rest'];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

interface ImportLerianFlags {
  sourceUri?: string;
  sourceDir?: string;
  sourceDb: string;
  organization?: string[];
  dryRun?: boolean;
  verify?: boolean;
  batch: string;
  onConflict: string;
}

/** A secret of the original, from `<NAME>` or `<NAME>_FILE` (a mounted secret file). Messages name the variable only. */
function legacySecret(env: NodeJS.ProcessEnv, name: string): string {
  const file = env[`${name}_FILE`];
  if (env[name] && file) throw new ImportAbort(`set either ${name} or ${name}_FILE, not both`);
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ImportAbort(
        `${name}_FILE: cannot read the secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const value = env[name]?.trim();
  if (!value) throw new ImportAbort(`${name} (or ${name}_FILE) is required: the original's LCRYPTO key`);
  return value;
}

export function legacyKeysFrom(env: NodeJS.ProcessEnv): LegacyKeys {
  return {
    encryptKey: legacySecret(env, 'LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY'),
    hashKey: legacySecret(env, 'LERIAN_LCRYPTO_HASH_SECRET_KEY'),
  };
}

/** The run's options from the flags, checked here so that a bad flag is a clear message and exit 1. */
export function importOptions(
  flags: ImportLerianFlags,
  config: AppConfig,
  env: NodeJS.ProcessEnv,
): LerianImportOptions {
  const organizations = flags.organization ?? [];
  const badOrganization = organizations.find((id) => !UUID.test(id));
  if (badOrganization !== undefined) throw new ImportAbort('--organization must be a UUID');
  const batchSize = Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new ImportAbort('--batch must be an integer from 1 to 10000');
  if (!CONFLICT_POLICIES.includes(flags.onConflict as ConflictPolicy))
    throw new ImportAbort(`--on-conflict must be one of ${CONFLICT_POLICIES.join(', ')}`);
  if (flags.dryRun && flags.verify)
    throw new ImportAbort('--dry-run and --verify do not go together: verify after the import');
  if (flags.sourceDir && flags.sourceUri)
    throw new ImportAbort('--source-dir and --source-uri (LERIAN_MONGO_URI) do not go together: read one source');
  return {
    sourceUri: flags.sourceUri ?? config.mongo.uri,
    sourceDb: flags.sourceDb,
    ...(flags.sourceDir ? { sourceDir: resolve(flags.sourceDir) } : {}),
    legacyKeys: legacyKeysFrom(env),
    organizations,
    dryRun: flags.dryRun ?? false,
    verify: flags.verify ?? false,
    batchSize,
    onConflict: flags.onConflict as ConflictPolicy,
  };
}

@SubCommand({
  name: 'lerian',
  description: 'import holders and aliases from a Lerian CRM v3.8.0 database (the source is only read)',
})
export class ImportLerianCommand extends CommandRunner {
  constructor(
    private readonly importer: LerianImporter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], flags: ImportLerianFlags): Promise<void> {
    try {
      process.exitCode = await this.importer.run(
        importOptions(flags, this.config, process.env),
        process.stdout,
        new CliProgress(process.stderr, 'import lerian'),
      );
    } catch (error) {
      // Name and message only: the messages of this command carry ids and variable names, never values.
      process.stderr.write(
        `import lerian: ${error instanceof ImportAbort ? '' : `${(error as Error).name}: `}${(error as Error).message}\n`,
      );
      process.exitCode = 1;
    }
  }

  @Option({
    flags: '--source-uri <uri>',
    description: "the original's MongoDB URI (default: this service's MONGO_URI)",
    env: 'LERIAN_MONGO_URI',
  })
  parseSourceUri(value: string): string {
    return value;
  }

  @Option({
    flags: '--source-dir <dir>',
    description:
      "read an Extended JSON export of the original's database (<database>.<collection>.json files) instead of a server",
  })
  parseSourceDir(value: string): string {
    return value;
  }

  @Option({ flags: '--source-db <name>', description: "the original's database", defaultValue: 'crm' })
  parseSourceDb(value: string): string {
    return value;
  }

  @Option({
    flags: '--organization <id>',
    description: 'an organization to import (repeatable; default: every organization found)',
  })
  parseOrganization(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({
    flags: '--dry-run',
    description: 'read, decrypt and check everything, report what would be imported, write nothing',
  })
  parseDryRun(): boolean {
    return true;
  }

  @Option({
    flags: '--verify',
    description:
      "compare every imported record (as this service's API answers it) with the decrypted source; exit 1 on any difference",
  })
  parseVerify(): boolean {
    return true;
  }

  @Option({ flags: '--batch <size>', description: 'records read and written per batch', defaultValue: '500' })
  parseBatch(value: string): string {
    return value;
  }

  @Option({
    flags: '--on-conflict <policy>',
    description:
      'live records our rules allow once (same document, same account id): report (skip them all), keep-first, soft-delete-rest',
    defaultValue: 'report',
  })
  parseOnConflict(value: string): string {
    return value;
  }
}

@Command({ name: 'import', description: 'import data from another system', subCommands: [ImportLerianCommand] })
export class ImportCommand extends CommandRunner {
  run(params: string[]): Promise<void> {
    runCommandGroup(this.command, params);
    return Promise.resolve();
  }
}
