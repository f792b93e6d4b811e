import { Global, Module } from '@nestjs/common';
import { MidazLedgerClient } from './midaz-ledger.client';

/** The Midaz ledger client, one per application (it owns the connection pool, breaker and cache). */
@Global()
@Module({ providers: [MidazLedgerClient], exports: [MidazLedgerClient] })
export class MidazModule {}
