import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';

interface LeaseDocument {
  _id: string;
  /** Random per taker; every write of the holder is conditional on it. */
  owner: string;
  /** Host (the pod's name on Kubernetes) and process id, for the operator. */
  holder: string;
  /** In the database's clock: once past, another taker may take the lease over. */
  expiresAt: Date;
}

/** Where a lease lives and how long it lasts without renewal. */
export interface LeaseSpec {
  collection: string;
  id: string;
  ttlMs: number;
}

/** Who holds a lease another taker could not take, and for how much longer unless renewed. */
export interface LeaseHeld {
  holder: string;
  expiresInMs: number;
}

/** Taking only loops when another taker released or replaced the lease meanwhile; this bounds a pathological race. */
const TAKE_ATTEMPTS = 3;

/**
 * The database's clock (`hello` answers with it), so a holder and a taker on other machines judge an
 * expiry by one clock. Clocks only decide when a lease may be taken over (liveness): ownership is decided
 * by conditional writes on the owner token.
 */
async function databaseNow(db: mongo.Db): Promise<Date> {
  const { localTime } = await db.command({ hello: 1 });
  // A server that does not tell its time leaves the local clock: it can only shift when a lease may be taken.
  return localTime instanceof Date ? localTime : new Date();
}

/**
 * One document that a taker inserts (the unique `_id` lets only one insert win, on every supported
 * engine), renews while it works and deletes when done. An expired lease (its holder was killed or
 * paused) is deleted by a write conditional on its owner token and expiry, then taken by the same insert.
 */
export class DatabaseLease {
  private readonly owner = randomUUID();
  /** The holder of the expired lease this taker took over, if it did. */
  tookOverFrom?: string;

  private constructor(
    private readonly db: mongo.Db,
    private readonly spec: LeaseSpec,
  ) {}

  /** Takes the lease, or tells who holds it. */
  static async take(db: mongo.Db, spec: LeaseSpec): Promise<DatabaseLease | LeaseHeld> {
    const lease = new DatabaseLease(db, spec);
    for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt++) {
      const now = await databaseNow(db);
      if (await lease.insert(now)) return lease;
      const held = await lease.leases().findOne({ _id: spec.id });
      if (!held) continue;
      if (held.expiresAt > now) return { holder: held.holder, expiresInMs: held.expiresAt.getTime() - now.getTime() };
      // Conditional on the owner and the expiry: a holder that renewed meanwhile keeps its lease.
      await lease.leases().deleteOne({ _id: spec.id, owner: held.owner, expiresAt: { $lte: now } });
      lease.tookOverFrom = held.holder;
    }
    throw new Error(`lease ${spec.id}: other takers kept taking and releasing it`);
  }

  /** Extends the lease; false when it is no longer this taker's (it expired and was taken over, or removed). */
  async renew(): Promise<boolean> {
    const now = await databaseNow(this.db);
    const { matchedCount } = await this.leases().updateOne(
      { _id: this.spec.id, owner: this.owner },
      { $set: { expiresAt: this.expiryAfter(now) } },
    );
    return matchedCount === 1;
  }

  /** Who holds the lease now (after a renewal failed), if anyone. */
  async currentHolder(): Promise<string | undefined> {
    return (await this.leases().findOne({ _id: this.spec.id }))?.holder;
  }

  /** Deletes the lease if it is still this taker's; one left behind (database gone) expires on its own. */
  async release(): Promise<void> {
    await this.leases()
      .deleteOne({ _id: this.spec.id, owner: this.owner })
      .catch(() => undefined);
  }

  private async insert(now: Date): Promise<boolean> {
    try {
      await this.leases().insertOne({
        _id: this.spec.id,
        owner: this.owner,
        holder: `${hostname()} pid ${process.pid}`,
        expiresAt: this.expiryAfter(now),
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  private expiryAfter(now: Date): Date {
    return new Date(now.getTime() + this.spec.ttlMs);
  }

  private leases() {
    return this.db.collection<LeaseDocument>(this.spec.collection);
  }
}
