import { Injectable } from '@nestjs/common';

/**
 * How long ago the last alias creation on a holder must have begun before a refused holder deletion may
 * conclude that a count no live alias backs is not a creation still under way (between its reservation
 * and its alias write) but a crash's leftover, or an alias deletion whose release has not landed (that
 * release then lowers nothing: see HolderLinks.releaseAlias). A reservation and its write follow each
 * other within milliseconds: ten minutes is far beyond any request, and beyond any clock skew between
 * replicas (each stamps the holder by its own clock).
 */
export const LOST_SLOT_AGE_MS = 10 * 60_000;

/** The wall clock alias changes are stamped and judged by: a provider, so that tests can move it. */
@Injectable()
export class SlotClock {
  now(): number {
    return Date.now();
  }
}
