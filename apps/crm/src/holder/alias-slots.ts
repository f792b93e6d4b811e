import { Injectable } from '@nestjs/common';

/**
 * How long ago the last alias creation or deletion on a holder must have begun before a refused holder
 * deletion may conclude that a count no live alias backs was left by a crash (between a reservation and
 * its alias write, or between an alias deletion and its release) rather than by a change still under way.
 * Those steps follow each other within milliseconds: ten minutes is far beyond any request, and beyond
 * any clock skew between replicas (each stamps the holder by its own clock).
 */
export const LOST_SLOT_AGE_MS = 10 * 60_000;

/** The wall clock alias changes are stamped and judged by: a provider, so that tests can move it. */
@Injectable()
export class SlotClock {
  now(): number {
    return Date.now();
  }
}
