import { randomUUID } from 'node:crypto';
import type { OrgClient } from '../utils/api';
import type { FakeMidaz } from '../utils/fake-midaz';
import { naturalPerson } from './holders';

type Overrides = Record<string, unknown>;

/** A related party of an alias; the document is a valid CPF, fixed so that tests can look for it. */
export const relatedParty = <T extends Overrides>(overrides: T = {} as T) => ({
  document: '987.654.321-00',
  name: 'Roberto Lima',
  role: 'LEGAL_REPRESENTATIVE',
  startDate: '2025-01-01',
  ...overrides,
});

/** Banking details with every field filled in (account and IBAN are protected). */
export const bankingDetails = <T extends Overrides>(overrides: T = {} as T) => ({
  branch: '0001',
  account: '12345-6',
  type: 'CACC',
  openingDate: '2025-01-01',
  iban: 'GB82 WEST 1234 5698 7654 32',
  countryCode: 'BR',
  bankId: '001',
  ...overrides,
});

/** The optional parts of an alias, all filled in: banking details, regulatory fields, a related party, metadata. */
export const aliasDetails = <T extends Overrides>(overrides: T = {} as T) => ({
  bankingDetails: bankingDetails(),
  regulatoryFields: { participantDocument: '12.345.678/0001-95' },
  relatedParties: [relatedParty()],
  metadata: { channel: 'app' },
  ...overrides,
});

/** The body of POST /v1/holders/{id}/aliases for a ledger account, with every optional part filled in. */
export const aliasBody = <T extends Overrides>(account: LedgerAccount, overrides: T = {} as T) => ({
  ...account,
  ...aliasDetails(overrides),
});

export interface LedgerAccount {
  ledgerId: string;
  accountId: string;
}

/** A fresh ledger account that the fake Midaz knows in the client's organization. */
export function ledgerAccount(midaz: FakeMidaz, client: OrgClient): LedgerAccount {
  const ledgerId = randomUUID();
  const accountId = randomUUID();
  midaz.addAccount(client.organizationId, ledgerId, accountId);
  return { ledgerId, accountId };
}

/**
 * A live holder with one alias on a fresh ledger account (the request's answer, and its body as `alias`);
 * `details` are the alias's optional parts, none by default.
 */
export async function holderWithAlias(midaz: FakeMidaz, client: OrgClient, details: Overrides = {}) {
  const { holder, ...account } = await linkableHolder(midaz, client);
  const response = await client.post(`/v1/holders/${holder.id}/aliases`, { ...account, ...details });
  return { holder, ...account, response, alias: response.body };
}

/** A live holder (created through the API) and a ledger account it can be linked to. */
export async function linkableHolder(midaz: FakeMidaz, client: OrgClient, holder: Overrides = naturalPerson()) {
  const created = await client.post('/v1/holders', holder);
  if (created.status !== 201) throw new Error(`holder not created: ${created.status} ${created.text}`);
  return { holder: created.body, ...ledgerAccount(midaz, client) };
}
