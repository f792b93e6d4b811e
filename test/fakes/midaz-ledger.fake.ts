import type { MidazLedgerClient } from '@crm/midaz';

type AccountCheck = Parameters<MidazLedgerClient['assertAccountExists']>[0];

/** MidazLedgerClient's one question, answered in memory: every account exists unless `failWith` is set. */
export class FakeMidazLedger implements Pick<MidazLedgerClient, 'assertAccountExists'> {
  readonly checked: AccountCheck[] = [];
  failWith?: Error;

  constructor(private readonly journal: string[] = []) {}

  assertAccountExists(account: AccountCheck): Promise<void> {
    this.journal.push('midaz.assertAccountExists');
    this.checked.push(account);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve();
  }
}
