import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { KeyRotationInterruptedError, KeyRotationService } from '@crm/crypto';
import { runCommandGroup } from '../command-group';
import { CliProgress, perCollection } from '../progress';
import { blockers, renderRotation, renderStatus } from './keys-report';

const DEFAULT_BATCH = 200;
const DEFAULT_MAX_PER_SECOND = 500;

const parseCount = (value: string) => Number(value);

@SubCommand({
  name: 'status',
  description: 'records per encryption and hash key, unreadable records, and which previous keys can be removed',
})
export class KeysStatusCommand extends CommandRunner {
  constructor(private readonly rotation: KeyRotationService) {
    super();
  }

  async run(_params: string[], options: { json?: boolean }): Promise<void> {
    const progress = new CliProgress(process.stderr, 'keys status');
    const report = await this.rotation.survey(perCollection(progress));
    progress.stop();
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
  }

  @Option({ flags: '--json', description: 'machine-readable output' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'rotate',
  description: 'rewrite every record not under the current keys (online, resumable), then re-seal the keyring canary',
})
export class KeysRotateCommand extends CommandRunner {
  constructor(private readonly rotation: KeyRotationService) {
    super();
  }

  async run(_params: string[], options: { batch?: number; maxPerSecond?: number; dryRun?: boolean }): Promise<void> {
    const batchSize = options.batch ?? DEFAULT_BATCH;
    const maxPerSecond = options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND;
    if (!Number.isInteger(batchSize) || batchSize < 1) this.command.error('--batch must be a positive integer');
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < 0)
      this.command.error('--max-per-second must be a non-negative integer (0: no limit)');
    const label = options.dryRun ? 'keys rotate (dry run)' : 'keys rotate';
    const progress = new CliProgress(process.stderr, label);
    const listener = perCollection(progress);
    const interruption = new AbortController();
    // Ctrl-C: the run stops after the record in hand, its checkpoint saved and its lease released.
    // A second Ctrl-C stops at once (still restoring the terminal).
    const onInterrupt = () => {
      if (!interruption.signal.aborted) return interruption.abort();
      progress.stop();
      process.exit(130);
    };
    process.on('SIGINT', onInterrupt);
    let started = false;
    let outcome;
    try {
      outcome = await this.rotation
        .rotate(
          {
            batchSize,
            maxPerSecond: maxPerSecond || undefined,
            dryRun: options.dryRun ?? false,
            signal: interruption.signal,
          },
          (scan) => {
            started = true;
            listener(scan);
          },
        )
        .catch((error: unknown) => {
          if (error instanceof KeyRotationInterruptedError) return error;
          throw error;
        });
    } finally {
      process.off('SIGINT', onInterrupt);
      // A run refused before it began (another one holds the lease) ends with its one-line error alone.
      if (started) progress.stop();
    }
    if (outcome instanceof KeyRotationInterruptedError) {
      process.stderr.write(
        `${label}: interrupted in ${outcome.collection} after ${outcome.examined} of ${outcome.total} records. ${
          options.dryRun
            ? 'Nothing was written.'
            : 'What is done stays done: run `keys rotate` again to continue from there.'
        }\n`,
      );
      process.exitCode = 130; // 128 + SIGINT, as a shell reports a run stopped by Ctrl-C
      return;
    }
    process.stdout.write(renderRotation(outcome));
    if (outcome.collections.some((rotation) => rotation.failed.count > 0)) process.exitCode = 1;
  }

  @Option({
    flags: '--batch <records>',
    description: `records read per batch; progress is checkpointed after each (default ${DEFAULT_BATCH})`,
  })
  parseBatch(value: string): number {
    return parseCount(value);
  }

  @Option({
    flags: '--max-per-second <records>',
    description: `records examined per second at most, to spare the API (default ${DEFAULT_MAX_PER_SECOND}; 0: no limit)`,
  })
  parseMaxPerSecond(value: string): number {
    return parseCount(value);
  }

  @Option({ flags: '--dry-run', description: 'count what would be rewritten; write nothing' })
  parseDryRun(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'verify',
  description:
    'read every record; exit 0 only when every value and token is under the current keys (previous keys can be removed)',
})
export class KeysVerifyCommand extends CommandRunner {
  constructor(private readonly rotation: KeyRotationService) {
    super();
  }

  async run(): Promise<void> {
    const progress = new CliProgress(process.stderr, 'keys verify');
    const report = await this.rotation.survey(perCollection(progress));
    progress.stop();
    const reasons = blockers(report);
    const checked = report.collections
      .map((collection) => `${collection.collection}: ${collection.records}`)
      .join(', ');
    if (reasons.length === 0) {
      process.stdout.write(
        `OK: every record (${checked}) and the keyring canary are under the current keys. The previous keys can be removed.\n`,
      );
      return;
    }
    process.stdout.write(
      `NOT READY: the previous keys are still needed.\n${reasons.map((reason) => `  ${reason}\n`).join('')}`,
    );
    process.exitCode = 1;
  }
}

@Command({
  name: 'keys',
  description: 'key lifecycle: status, rotate, verify',
  subCommands: [KeysStatusCommand, KeysRotateCommand, KeysVerifyCommand],
})
export class KeysCommand extends CommandRunner {
  run(params: string[]): Promise<void> {
    runCommandGroup(this.command, params);
    return Promise.resolve();
  }
}
