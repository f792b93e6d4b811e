import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';

const LEASES = 'key_rotation_leases';
const LEASE_ID = 'keys-rotate';
/**
 * How long a lease lasts without renewal: how long the lease of a killed run keeps a new run out. The
 * holder renews it three times per period, so a slow batch or a short database hiccup does not lose it.
 */
const LEASE_MS = 30_000;
const HEARTBEAT_MS = LEASE_MS / 3;
/** Taking a lease only loops when another run released or replaced it meanwhile; this bounds a pathological race. */
const TAKE_ATTEMPTS = 3;

interface LeaseDocument {
  _id: string;
  /** Random per run; every write of the holder is conditional on it. */
  owner: string;
  /** Host (the pod's name on Kubernetes) and process id, for the operator. */
  holder: string;
  /** In the database's clock: once past, another run may take the lease over. */
  expiresAt: Date;
}

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
 * The database's clock (`hello` answers with it), so the holder and a taker on other machines judge an
 * expiry by one clock. Clocks only decide when a lease may be taken over (liveness): ownership is
 * decided by conditional writes on the owner token.
 */
async function databaseNow(db: mongo.Db): Promise<Date> {
  const { localTime } = await db.command({ hello: 1 });
  // A server that does not tell its time leaves the local clock: it can only shift when a lease may be taken.
  return localTime instanceof Date ? localTime : new Date();
}

/**
 * Keeps a second `keys rotate` from redoing the work of a running one: one document that a run
 * inserts (the unique `_id` lets only one insert win, also on FerretDB), renews while it works and
 * deletes at the end. An expired lease (its run was killed or paused) is deleted by a write
 * conditional on its owner token and expiry, then taken by the same insert. A run that finds
 * another owner at a renewal stops; its last writes are harmless, as each record write is
 * conditional on what was read.
 */
export class RotationLease implements LeaseGuard {
  private readonly owner = randomUUID();
  private confirmedAt = performance.now();
  private renewal?: Promise<void>;
  private lost?: KeyRotationLeaseLostError;
  private heartbeat?: NodeJS.Timeout;
  /** The holder of the expired lease this run took over, if it did. */
  tookOverFrom?: string;

  private constructor(private readonly db: mongo.Db) {}

  /** Takes the lease or throws KeyRotationRunningError; the lease is renewed in the background until released. */
  static async acquire(db: mongo.Db): Promise<RotationLease> {
    const lease = new RotationLease(db);
    await lease.take();
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
    if (performance.now() - this.confirmedAt > LEASE_MS / 2) await this.renew();
  }

  /** Deletes the lease if it is still this run's; one left behind (database gone) expires on its own. */
  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.renewal?.catch(() => undefined);
    if (!this.lost)
      await this.leases()
        .deleteOne({ _id: LEASE_ID, owner: this.owner })
        .catch(() => undefined);
  }

  private async take(): Promise<void> {
    for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt++) {
      const now = await databaseNow(this.db);
      if (await this.insert(now)) return;
      const held = await this.leases().findOne({ _id: LEASE_ID });
      if (!held) continue;
      if (held.expiresAt > now)
        throw new KeyRotationRunningError(held.holder, held.expiresAt.getTime() - now.getTime());
      // Conditional on the owner and the expiry: a holder that renewed meanwhile keeps its lease.
      await this.leases().deleteOne({ _id: LEASE_ID, owner: held.owner, expiresAt: { $lte: now } });
      this.tookOverFrom = held.holder;
    }
    throw new Error('key rotation lease: other runs kept taking and releasing it; run keys rotate again');
  }

  private async insert(now: Date): Promise<boolean> {
    const sentAt = performance.now();
    try {
      await this.leases().insertOne({
        _id: LEASE_ID,
        owner: this.owner,
        holder: `${hostname()} pid ${process.pid}`,
        expiresAt: this.expiryAfter(now),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    this.confirmedAt = sentAt;
    return true;
  }

  /** One renewal at a time: the heartbeat, a batch and an overdue check share it. */
  private renew(): Promise<void> {
    this.renewal ??= this.extend().finally(() => (this.renewal = undefined));
    return this.renewal;
  }

  private async extend(): Promise<void> {
    const sentAt = performance.now();
    const now = await databaseNow(this.db);
    const { matchedCount } = await this.leases().updateOne(
      { _id: LEASE_ID, owner: this.owner },
      { $set: { expiresAt: this.expiryAfter(now) } },
    );
    if (matchedCount === 1) {
      this.confirmedAt = sentAt;
      return;
    }
    const held = await this.leases().findOne({ _id: LEASE_ID });
    this.lost = new KeyRotationLeaseLostError(held?.holder);
    clearInterval(this.heartbeat);
    throw this.lost;
  }

  private expiryAfter(now: Date): Date {
    return new Date(now.getTime() + LEASE_MS);
  }

  private leases() {
    return this.db.collection<LeaseDocument>(LEASES);
  }
}
