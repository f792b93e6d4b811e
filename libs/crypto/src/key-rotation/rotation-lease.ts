import { performance } from 'node:perf_hooks';
import type { mongo } from 'mongoose';
import { DatabaseLease } from '@crm/leases';

/**
 * ttlMs: how long a lease lasts without renewal, so how long the lease of a killed run keeps a new run
 * out. The holder renews it three times per period, so a slow batch or a short database hiccup does not lose it.
 */
const LEASE = { collection: 'key_rotation_leases', id: 'keys-rotate', ttlMs: 30_000 };
const HEARTBEAT_MS = LEASE.ttlMs / 3;

/** `keys rotate` started while another run holds the lease. */
export class KeyRotationRunningError extends Error {
  constructor(holder: string, expiresInMs: number) {
    super(
      `a key rotation is already running (${holder}); its lease expires in ${Math.ceil(expiresInMs / 1000)} s unless renewed. Wait for it to finish; if it was killed, run keys rotate again once the lease has expired (it resumes from the checkpoint)`,
    );
    this.name = 'KeyRotationRunningError';
  }
}

/** This run's lease now belongs to another run (it stopped renewing long enough to expire), or was removed. */
export class KeyRotationLeaseLostError extends Error {
  constructor(holder?: string) {
    super(
      holder
        ? `key rotation stopped: its lease was taken over by ${holder}, which continues from the checkpoint`
        : 'key rotation stopped: its lease expired (this run was paused or cut off) and is gone; run keys rotate again to continue from the checkpoint',
    );
    this.name = 'KeyRotationLeaseLostError';
  }
}

/** What a rotation asks of its lease before it writes. */
export interface LeaseGuard {
  /** Before each batch: asks the database whether this run still holds the lease, and extends it. */
  confirm(): Promise<void>;
  /** Before each write: fails once the lease is known lost; asks the database when the heartbeat is overdue. */
  check(): Promise<void>;
}

/** A dry run writes nothing, so it takes no lease and never stops for one. */
export const NO_LEASE: LeaseGuard = { confirm: () => Promise.resolve(), check: () => Promise.resolve() };

/**
 * Keeps a second `keys rotate` from redoing the work of a running one: a database lease (DatabaseLease)
 * that a run takes, renews while it works and releases at the end. A run that finds another owner at a
 * renewal stops; its last writes are harmless, as each record write is conditional on what was read.
 */
export class RotationLease implements LeaseGuard {
  private confirmedAt = performance.now();
  private renewal?: Promise<void>;
  private lost?: KeyRotationLeaseLostError;
  private heartbeat?: NodeJS.Timeout;

  private constructor(private readonly lease: DatabaseLease) {}

  /** The holder of the expired lease this run took over, if it did. */
  get tookOverFrom(): string | undefined {
    return this.lease.tookOverFrom;
  }

  /** Takes the lease or throws KeyRotationRunningError; the lease is renewed in the background until released. */
  static async acquire(db: mongo.Db): Promise<RotationLease> {
    const taken = await DatabaseLease.take(db, LEASE);
    if (!(taken instanceof DatabaseLease)) throw new KeyRotationRunningError(taken.holder, taken.expiresInMs);
    const lease = new RotationLease(taken);
    lease.heartbeat = setInterval(() => void lease.renew().catch(() => undefined), HEARTBEAT_MS).unref();
    return lease;
  }

  async confirm(): Promise<void> {
    if (this.lost) throw this.lost;
    await this.renew();
  }

  async check(): Promise<void> {
    if (this.lost) throw this.lost;
    // The heartbeat did not run for half a lease: the process was paused (or the database slow).
    if (performance.now() - this.confirmedAt > LEASE.ttlMs / 2) await this.renew();
  }

  /** Deletes the lease if it is still this run's; one left behind (database gone) expires on its own. */
  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.renewal?.catch(() => undefined);
    if (!this.lost) await this.lease.release();
  }

  /** One renewal at a time: the heartbeat, a batch and an overdue check share it. */
  private renew(): Promise<void> {
    this.renewal ??= this.extend().finally(() => (this.renewal = undefined));
    return this.renewal;
  }

  private async extend(): Promise<void> {
    const sentAt = performance.now();
    if (await this.lease.renew()) {
      this.confirmedAt = sentAt;
      return;
    }
    this.lost = new KeyRotationLeaseLostError(await this.lease.currentHolder());
    clearInterval(this.heartbeat);
    throw this.lost;
  }
}
