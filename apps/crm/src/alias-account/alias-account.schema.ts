import { Schema } from 'mongoose';
import { outboxPlugin } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { protectedFields } from '@crm/crypto';
import type { Metadata } from '@crm/http';
import { COLLECTIONS } from '@crm/persistence';

export const ALIAS_ACCOUNT_MODEL = 'AliasAccount';
export const RELATED_PARTY_ROLES = ['PRIMARY_HOLDER', 'LEGAL_REPRESENTATIVE', 'RESPONSIBLE_PARTY'] as const;
export type RelatedPartyRole = (typeof RELATED_PARTY_ROLES)[number];

export interface RelatedPartyRecord {
  _id: string;
  document: string;
  name: string;
  role: RelatedPartyRole;
  startDate: string;
  endDate?: string;
}

export interface BankingDetails {
  branch?: string;
  account?: string;
  type?: string;
  openingDate?: string;
  closingDate?: string;
  iban?: string;
  countryCode?: string;
  bankId?: string;
}

/** An alias account as the repository hands it to the service: decrypted, without tokens. */
export interface AliasAccountRecord {
  _id: string;
  organizationId: string;
  holderId: string;
  ledgerId: string;
  accountId: string;
  type: string;
  document: string;
  bankingDetails?: BankingDetails;
  regulatoryFields?: { participantDocument?: string };
  relatedParties?: RelatedPartyRecord[];
  metadata?: Metadata;
  /**
   * Set while the alias is being created, to a token of its own creation: a pending alias is invisible
   * to reads and lists, but counts for its holder's deletion and for the account's unique index (see
   * docs/adr/0003-holder-alias-integrity.md). Absent once the creation confirms it.
   */
  pending?: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/**
 * The alias's protected fields, one line each: encrypted at rest by the crypto plugin, those with `search`
 * also searchable through a blind index, and masked in answers as `mask` says. They drive the plugin, the
 * token indexes below, the repository's search names, the masks, the OpenAPI descriptions and the table
 * in docs/data-protection.md.
 */
export const ALIAS_PROTECTED_FIELDS = protectedFields([
  {
    path: 'document',
    mask: 'document',
    search: { as: 'document', normalizer: 'identifier', filter: 'document' },
    why: "the holder's CPF/CNPJ",
  },
  {
    path: 'bankingDetails.account',
    mask: 'account',
    search: { as: 'bankingDetailsAccount', normalizer: 'identifier', filter: 'banking_details_account' },
    why: 'account number',
  },
  {
    path: 'bankingDetails.iban',
    mask: 'account',
    search: { as: 'bankingDetailsIban', normalizer: 'identifier', filter: 'banking_details_iban' },
    why: 'account number',
  },
  {
    path: 'regulatoryFields.participantDocument',
    mask: 'document',
    search: {
      as: 'regulatoryFieldsParticipantDocument',
      normalizer: 'identifier',
      filter: 'regulatory_fields_participant_document',
    },
    why: 'CPF/CNPJ',
  },
  {
    path: 'relatedParties[].document',
    mask: 'document',
    search: { as: 'relatedPartyDocuments', normalizer: 'identifier', filter: 'related_party_document' },
    why: 'CPF/CNPJ of a person',
  },
  { path: 'relatedParties[].name', mask: 'name', why: 'name of a person' },
]);
export type AliasSearchName = (typeof ALIAS_PROTECTED_FIELDS.searchNames)[number];

const relatedParty = new Schema<RelatedPartyRecord>({
  _id: { type: String, default: () => uuidv7() },
  document: { type: String, required: true },
  name: { type: String, required: true },
  role: { type: String, enum: RELATED_PARTY_ROLES, required: true },
  startDate: { type: String, required: true },
  endDate: String,
});

export const AliasAccountSchema = new Schema<AliasAccountRecord>(
  {
    _id: { type: String, default: () => uuidv7() },
    organizationId: { type: String, required: true },
    holderId: { type: String, required: true },
    ledgerId: { type: String, required: true },
    accountId: { type: String, required: true },
    type: { type: String, required: true },
    document: { type: String, required: true },
    bankingDetails: {
      branch: String,
      account: String,
      type: { type: String }, // spelled out: a bare `type: String` would declare bankingDetails itself a string
      openingDate: String,
      closingDate: String,
      iban: String,
      countryCode: String,
      bankId: String,
    },
    regulatoryFields: { participantDocument: String },
    relatedParties: { type: [relatedParty], default: undefined },
    metadata: { type: Schema.Types.Mixed },
    pending: String,
    deletedAt: { type: Date, default: null },
  },
  { collection: COLLECTIONS.aliasAccounts, timestamps: true, versionKey: false, minimize: true },
);

AliasAccountSchema.plugin(outboxPlugin);

// One live alias per account id in an organization, whatever the ledger (CRM-0013; Midaz account ids are
// unique across ledgers, and the original refuses a second one too). deletedAt in the key stands in for a
// partial index, which FerretDB lacks. Also serves GET /v1/aliases?account_id=… (its prefix).
AliasAccountSchema.index(
  { organizationId: 1, accountId: 1, deletedAt: 1 },
  { unique: true, name: 'aliases_live_account_id_unique' },
);
/** Indexes this schema no longer declares (renamed or replaced): dropped at start-up. */
export const RETIRED_ALIAS_INDEXES = ['aliases_live_account_unique', 'aliases_org_account'];
// GET /v1/aliases?ledger_id=… (a ledger's aliases).
AliasAccountSchema.index({ organizationId: 1, ledgerId: 1, deletedAt: 1 }, { name: 'aliases_org_ledger' });
// A holder's aliases: GET /v1/aliases?holder_id=…, and a holder deletion's look for aliases that link it.
AliasAccountSchema.index({ organizationId: 1, holderId: 1, deletedAt: 1 }, { name: 'aliases_org_holder' });
// Lists and keyset pagination, ordered by _id (UUIDv7 = creation order).
AliasAccountSchema.index({ organizationId: 1, _id: 1 }, { name: 'aliases_org_id' });
// Blind-index searches, one index per search name the declarations above give.
for (const name of ALIAS_PROTECTED_FIELDS.searchNames) {
  AliasAccountSchema.index(
    { organizationId: 1, [ALIAS_PROTECTED_FIELDS.tokenPath(name)]: 1 },
    { name: `aliases_org_search_${name}` },
  );
}
