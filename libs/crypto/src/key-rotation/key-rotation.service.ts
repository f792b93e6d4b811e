import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';
import { DecryptionError } from '../errors';
import { FieldProtector, RecordKeyUsage } from '../field-protector';
import { Keyring } from '../keyring';
import { KeyringCanary } from '../keyring-canary';
import { getIn } from '../object-paths';
import { batchesOf, ProgressListener, RateLimit, StoredRecord } from './key-scan';
import { ProtectedCollections } from './protected-collections';
import { LeaseGuard, NO_LEASE, RotationLease } from './rotation-lease';

/** How many record ids a report lists (counts are always complete). */
const LISTED_IDS = 1000;
/** A record that keeps changing under the rotation is given up on (and reported) after this many tries. */
const ATTEMPTS = 5;
const CHECKPOINTS = 'key_rotation_checkpoints';

export interface KeyCount {
  records: number;
  values: number;
}

export interface CollectionKeyReport {
  collection: string;
  records: number;
  /** Records whose every value and token is under the current keys. */
  current: number;
  /** Key id → records and values under it (related-party sub-documents included); `plaintext`: unencrypted values. */
  encryptionKeys: Record<string, KeyCount>;
  /** Hash key id → records and tokens it made; `unknown`: tokens no configured key explains. */
  hashKeys: Record<string, KeyCount>;
  unreadable: { count: number; ids: string[] };
}

export interface ConfiguredKey {
  kind: 'encryption' | 'hash';
  id: string;
  role: 'current' | 'previous';
  /** Some record (or the keyring canary) still uses it. */
  inUse: boolean;
  /** A previous key nothing uses any more, with no unreadable record that might need it. */
  removable: boolean;
}

export interface KeyReport {
  collections: CollectionKeyReport[];
  canary: { encryption?: string; hashing?: string; current: boolean } | null;
  keys: ConfiguredKey[];
  /** Every record and the canary are under the current keys and every value reads: previous keys can go. */
  previousKeysRemovable: boolean;
}

export interface RotationOptions {
  batchSize: number;
  maxPerSecond?: number;
  /** Counts what would be rewritten; writes nothing (no record, no checkpoint, no canary). */
  dryRun: boolean;
  /** Stops the run after the record in hand, its checkpoint saved (KeyRotationInterruptedError). */
  signal?: AbortSignal;
}

/** The run was stopped through its signal; what it did stays done and a new run continues from its checkpoint. */
export class KeyRotationInterruptedError extends Error {
  constructor(
    readonly collection: string,
    readonly examined: number,
    readonly total: number,
  ) {
    super(`key rotation interrupted in ${collection} after ${examined} of ${total} records`);
    this.name = 'KeyRotationInterruptedError';
  }
}

export interface RotationFailure {
  id: string;
  /** Why (a DecryptionError reason, `duplicate` when a unique index refuses the new token, or `kept-changing`); never a value. */
  reason: string;
}

export interface CollectionRotation {
  collection: string;
  examined: number;
  /** Rewritten under the current keys (in a dry run: would be). */
  rewritten: number;
  /** Already under the current keys: nothing to rewrite. */
  alreadyCurrent: number;
  /** Deleted between the rotation's read and its write: nothing left to rewrite. */
  goneMeanwhile: number;
  /** Conditional writes that lost to a concurrent change and were tried again. */
  retried: number;
  failed: { count: number; records: RotationFailure[] };
  /** Set when this run continued a checkpoint left by an interrupted one. */
  resumedAfter?: string;
}

export interface RotationSummary {
  dryRun: boolean;
  collections: CollectionRotation[];
  canaryResealed: boolean;
  /** Set when this run took over the expired lease of a run that stopped without releasing it: that run's holder. */
  tookOverLeaseOf?: string;
}

interface Checkpoint {
  _id: string;
  encryptionKeyId: string;
  hashKeyId: string;
  lastId?: string;
  progress: Omit<CollectionRotation, 'collection' | 'resumedAfter'>;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

type RecordOutcome =
  | { outcome: 'rewritten' | 'alreadyCurrent' | 'goneMeanwhile'; retries: number }
  | { outcome: 'failed'; retries: number; reason: string };

/** What every collection of one rotation run shares. */
interface Run {
  options: RotationOptions;
  rateLimit: RateLimit;
  lease: LeaseGuard;
  onProgress?: ProgressListener;
}

/**
 * Moves every protected record to the current keys while the service keeps running, and reports
 * which keys the stored data still needs. Records are read raw, re-sealed by their collection's
 * FieldProtector and written back with a conditional single-document update; nothing here knows
 * a cipher.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly keyring: Keyring,
    private readonly collections: ProtectedCollections,
    private readonly canary: KeyringCanary,
  ) {}

  /** Reads every record: which keys its values and tokens use, and which do not read at all. */
  async survey(onProgress?: ProgressListener): Promise<KeyReport> {
    const collections: CollectionKeyReport[] = [];
    for (const protector of this.collections.all()) {
      const report: CollectionKeyReport = {
        collection: protector.collection,
        records: 0,
        current: 0,
        encryptionKeys: {},
        hashKeys: {},
        unreadable: { count: 0, ids: [] },
      };
      const total = await this.records(protector).countDocuments({});
      onProgress?.({ collection: protector.collection, done: 0, total });
      for await (const batch of batchesOf(this.records(protector), 500)) {
        for (const record of batch) this.tally(report, protector, record);
        onProgress?.({ collection: protector.collection, done: report.records, total });
      }
      collections.push(report);
    }
    const canaryKeys = await this.canary.keyUsage();
    const canary = canaryKeys && {
      ...canaryKeys,
      current: canaryKeys.encryption === this.keyring.encryption.id && canaryKeys.hashing === this.keyring.hashing.id,
    };
    const unreadable = collections.reduce((sum, report) => sum + report.unreadable.count, 0);
    const inUse = (kind: 'encryptionKeys' | 'hashKeys', id: string) =>
      collections.some((report) => report[kind][id] !== undefined) ||
      (kind === 'encryptionKeys' ? canary?.encryption : canary?.hashing) === id;
    const keys: ConfiguredKey[] = [
      ...[this.keyring.encryption.id, ...this.keyring.previousEncryptionIds].map((id, index) => ({
        kind: 'encryption' as const,
        id,
        role: index === 0 ? ('current' as const) : ('previous' as const),
        inUse: inUse('encryptionKeys', id),
      })),
      ...this.keyring.allHashKeys().map(({ id }, index) => ({
        kind: 'hash' as const,
        id,
        role: index === 0 ? ('current' as const) : ('previous' as const),
        inUse: inUse('hashKeys', id),
      })),
    ].map((key) => ({ ...key, removable: key.role === 'previous' && !key.inUse && unreadable === 0 }));
    const everyRecordCurrent = collections.every((report) => report.current === report.records);
    return {
      collections,
      canary,
      keys,
      previousKeysRemovable: everyRecordCurrent && unreadable === 0 && (canary?.current ?? true),
    };
  }

  /**
   * Rewrites every record not entirely under the current keys, checkpointing after each batch so
   * an interrupted run continues where it stopped. When every record is done and none failed, the
   * keyring canary is re-sealed under the current keys. One run at a time: a run holds a lease in the
   * database (KeyRotationRunningError when another holds it) and stops before its next write once it
   * finds the lease lost (KeyRotationLeaseLostError).
   */
  async rotate(options: RotationOptions, onProgress?: ProgressListener): Promise<RotationSummary> {
    const lease = options.dryRun ? undefined : await RotationLease.acquire(this.connection.db!);
    try {
      const run: Run = {
        options,
        rateLimit: new RateLimit(options.maxPerSecond),
        lease: lease ?? NO_LEASE,
        onProgress,
      };
      const collections: CollectionRotation[] = [];
      for (const protector of this.collections.all()) collections.push(await this.rotateCollection(protector, run));
      const canaryResealed = !options.dryRun && collections.every((rotation) => rotation.failed.count === 0);
      if (canaryResealed) {
        await run.lease.confirm();
        await this.canary.reseal();
      }
      const tookOverLeaseOf = lease?.tookOverFrom;
      return { dryRun: options.dryRun, collections, canaryResealed, ...(tookOverLeaseOf ? { tookOverLeaseOf } : {}) };
    } finally {
      await lease?.release();
    }
  }

  private async rotateCollection(protector: FieldProtector, run: Run): Promise<CollectionRotation> {
    const records = this.records(protector);
    const checkpoint = run.options.dryRun
      ? this.freshCheckpoint(protector.collection)
      : await this.checkpointToResume(protector.collection);
    const resumedAfter = checkpoint.lastId;
    const { progress } = checkpoint;
    const total =
      progress.examined +
      (await records.countDocuments(resumedAfter === undefined ? {} : { _id: { $gt: resumedAfter } }));
    run.onProgress?.({ collection: protector.collection, done: progress.examined, total });
    for await (const batch of batchesOf(records, run.options.batchSize, resumedAfter)) {
      await run.lease.confirm();
      for (const record of batch) {
        if (run.options.signal?.aborted) break;
        await run.rateLimit.take();
        await run.lease.check();
        this.count(progress, record, await this.rotateRecord(protector, record, run.options.dryRun));
        checkpoint.lastId = record._id;
      }
      await this.saveCheckpoint(run, checkpoint);
      run.onProgress?.({
        collection: protector.collection,
        done: progress.examined,
        total: Math.max(total, progress.examined),
      });
      if (run.options.signal?.aborted)
        throw new KeyRotationInterruptedError(
          protector.collection,
          progress.examined,
          Math.max(total, progress.examined),
        );
    }
    await this.saveCheckpoint(run, { ...checkpoint, finishedAt: new Date() });
    return { collection: protector.collection, ...progress, ...(resumedAfter !== undefined ? { resumedAfter } : {}) };
  }

  private count(progress: Checkpoint['progress'], record: StoredRecord, result: RecordOutcome): void {
    progress.examined += 1;
    progress.retried += result.retries;
    if (result.outcome !== 'failed') {
      progress[result.outcome] += 1;
      return;
    }
    progress.failed.count += 1;
    if (progress.failed.records.length < LISTED_IDS && !progress.failed.records.some(({ id }) => id === record._id))
      progress.failed.records.push({ id: record._id, reason: result.reason });
  }

  /**
   * One record: left alone when already current; otherwise re-sealed and written only if nothing
   * changed since it was read (same updatedAt, same stored protected values), else read again and retried.
   */
  private async rotateRecord(protector: FieldProtector, first: StoredRecord, dryRun: boolean): Promise<RecordOutcome> {
    const records = this.records(protector);
    let record: StoredRecord | null = first;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (!record) return { outcome: 'goneMeanwhile', retries: attempt };
      let update;
      try {
        if (protector.keyUsage(record).current) return { outcome: 'alreadyCurrent', retries: attempt };
        update = protector.resealUnderCurrentKeys(record);
      } catch (error) {
        if (error instanceof DecryptionError) return { outcome: 'failed', retries: attempt, reason: error.reason };
        throw error;
      }
      if (dryRun) return { outcome: 'rewritten', retries: attempt };
      let written;
      try {
        written = await records.updateOne(
          this.unchangedSince(protector, record),
          Object.keys(update.$unset).length > 0 ? update : { $set: update.$set },
        );
      } catch (error) {
        // A unique index over a token refuses it: another record has the same value (e.g. after a normalizer change).
        if (isDuplicateKeyError(error)) return { outcome: 'failed', retries: attempt, reason: 'duplicate' };
        throw error;
      }
      if (written.matchedCount === 1) return { outcome: 'rewritten', retries: attempt };
      record = await records.findOne({ _id: record._id });
    }
    return { outcome: 'failed', retries: ATTEMPTS, reason: 'kept-changing' };
  }

  /**
   * The condition of a rotation write: the record as it was read. updatedAt is the version every API
   * write bumps; the stored protected values (each ciphertext has its own nonce) also catch a write
   * within the same millisecond. updatedAt itself is left as it is: a key rewrite is no change of data.
   */
  private unchangedSince(protector: FieldProtector, record: StoredRecord): Record<string, unknown> {
    const filter: Record<string, unknown> = { _id: record._id, updatedAt: record.updatedAt ?? null };
    for (const path of protector.storedRoots()) filter[path] = getIn(record, path) ?? null;
    return filter;
  }

  private tally(report: CollectionKeyReport, protector: FieldProtector, record: StoredRecord): void {
    report.records += 1;
    let usage: RecordKeyUsage;
    try {
      usage = protector.keyUsage(record);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      report.unreadable.count += 1;
      if (report.unreadable.ids.length < LISTED_IDS) report.unreadable.ids.push(record._id);
      return;
    }
    if (usage.current) report.current += 1;
    const add = (counts: Record<string, KeyCount>, used: Map<string, number>) => {
      for (const [id, values] of used) {
        counts[id] ??= { records: 0, values: 0 };
        counts[id].records += 1;
        counts[id].values += values;
      }
    };
    add(report.encryptionKeys, usage.encryption);
    add(report.hashKeys, usage.hashing);
  }

  private records(protector: FieldProtector) {
    return this.connection.db!.collection<StoredRecord>(protector.collection);
  }

  private checkpoints() {
    return this.connection.db!.collection<Checkpoint>(CHECKPOINTS);
  }

  /**
   * The unfinished checkpoint of a run towards the same keys, or a fresh one (a finished run, or one whose
   * counts are not the ones kept here, is walked again: idempotent).
   */
  private async checkpointToResume(collection: string): Promise<Checkpoint> {
    const saved = await this.checkpoints().findOne({ _id: collection });
    const sameTarget =
      saved?.encryptionKeyId === this.keyring.encryption.id && saved?.hashKeyId === this.keyring.hashing.id;
    const sameCounts =
      typeof saved?.progress.alreadyCurrent === 'number' && typeof saved?.progress.goneMeanwhile === 'number';
    return saved && sameTarget && sameCounts && !saved.finishedAt ? saved : this.freshCheckpoint(collection);
  }

  private freshCheckpoint(collection: string): Checkpoint {
    const now = new Date();
    return {
      _id: collection,
      encryptionKeyId: this.keyring.encryption.id,
      hashKeyId: this.keyring.hashing.id,
      progress: {
        examined: 0,
        rewritten: 0,
        alreadyCurrent: 0,
        goneMeanwhile: 0,
        retried: 0,
        failed: { count: 0, records: [] },
      },
      startedAt: now,
      updatedAt: now,
      finishedAt: null,
    };
  }

  /** A dry run saves none; a run that knows it lost its lease leaves the checkpoint to the run that took it over. */
  private async saveCheckpoint(run: Run, checkpoint: Checkpoint): Promise<void> {
    if (run.options.dryRun) return;
    await run.lease.check();
    await this.checkpoints().replaceOne(
      { _id: checkpoint._id },
      { ...checkpoint, updatedAt: new Date() },
      { upsert: true },
    );
  }
}
