/**
 * How old a pending alias must be before it counts as abandoned: its creation died or stalled. A creation
 * writes and confirms its alias within milliseconds. An abandoned one is removed by the next holder
 * deletion or creation for the same account; a creation that wakes up later finds its alias gone and
 * answers 409 CRM-0049. The clock decides only when such leftovers stop blocking others, never whether a
 * deletion may proceed (docs/adr/0003-holder-alias-integrity.md).
 */
export const ABANDONED_CREATION_MS = 2 * 60_000;

/** Pending aliases created before this instant are abandoned. */
export function abandonedBefore(): Date {
  return new Date(Date.now() - ABANDONED_CREATION_MS);
}
