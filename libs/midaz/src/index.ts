export { MidazLedgerClient } from './midaz-ledger.client';
export type { LedgerAccountRef, MidazCallContext } from './midaz-ledger.client';
export { MidazModule } from './midaz.module';
