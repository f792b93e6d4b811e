import { Injectable } from '@nestjs/common';

/**
 * How old a holder's last alias reservation must be before a refused holder deletion may conclude that
 * a count no live alias backs was left by a crash (between a reservation and its alias write, or between
 * an alias deletion and its release) rather than by a creation still under way. A creation writes its
 * alias milliseconds after reserving: ten minutes is far beyond any request, and beyond any clock skew
 * between replicas (reservations are stamped by the replica that makes them).
 */
export const LOST_SLOT_AGE_MS = 10 * 60_000;

/** The wall clock alias reservations are stamped and judged by: a provider, so that tests can move it. */
@Injectable()
export class SlotClock {
  now(): number {
    return Date.now();
  }
}
