export { DatabaseLease } from './lease';
export type { LeaseHeld, LeaseSpec } from './lease';
