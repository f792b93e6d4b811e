import { Schema } from 'mongoose';
import { outboxPlugin } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { protectedFields } from '@crm/crypto';
import type { Metadata } from '@crm/http';
import { COLLECTIONS } from '@crm/persistence';

export const HOLDER_MODEL = 'Holder';
export const HOLDER_TYPES = ['NATURAL_PERSON', 'LEGAL_PERSON'] as const;
export type HolderType = (typeof HOLDER_TYPES)[number];

export interface Address {
  line1?: string;
  line2?: string;
  zipCode?: string;
  city?: string;
  state?: string;
  country?: string;
  description?: string;
}

/** A holder as the repository hands it to the service: decrypted, without tokens. */
export interface HolderRecord {
  _id: string;
  organizationId: string;
  type: HolderType;
  name: string;
  document: string;
  externalId?: string;
  addresses?: { primary?: Address; additional1?: Address; additional2?: Address };
  contact?: { primaryEmail?: string; secondaryEmail?: string; mobilePhone?: string; otherPhone?: string };
  naturalPerson?: {
    favoriteName?: string;
    socialName?: string;
    gender?: string;
    birthDate?: string;
    civilStatus?: string;
    nationality?: string;
    motherName?: string;
    fatherName?: string;
    status?: string;
  };
  legalPerson?: {
    tradeName?: string;
    activity?: string;
    type?: string;
    foundingDate?: string;
    size?: string;
    status?: string;
    representative?: { name?: string; document?: string; email?: string; role?: string };
  };
  metadata?: Metadata;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

const PRIVACY_PASS = { acceptsLegacyPlaintext: true } as const; // see docs/data-protection.md, legacy plaintext
const PERSONAL = 'personal data under LGPD/GDPR; nothing filters on them';
const LOCATES = 'locate a person; nothing filters on them';

/**
 * The holder's protected fields, one line each: encrypted at rest by the crypto plugin, `document` also
 * searchable, and masked in answers as `mask` says (PERSONAL_DATA_ACCESS=masked). They drive the plugin,
 * the token index below, the repository's search names, the masks, the OpenAPI descriptions and the table
 * in docs/data-protection.md. Fields with `PRIVACY_PASS` may be stored in plain text by records older
 * than their protection: read as they are and sealed on the record's next write.
 * City, state and country stay plain (statistics).
 */
export const HOLDER_PROTECTED_FIELDS = protectedFields([
  { path: 'name', mask: 'name', why: 'identifies the person' },
  {
    path: 'document',
    mask: 'document',
    search: { as: 'document', normalizer: 'identifier', filter: 'document' },
    why: 'CPF/CNPJ; one live holder per document (unique blind index)',
  },
  { path: 'contact.primaryEmail', mask: 'email', why: 'contact data' },
  { path: 'contact.secondaryEmail', mask: 'email', why: 'contact data' },
  { path: 'contact.mobilePhone', mask: 'phone', why: 'contact data' },
  { path: 'contact.otherPhone', mask: 'phone', why: 'contact data' },
  { path: 'naturalPerson.motherName', mask: 'name', why: 'names of third persons' },
  { path: 'naturalPerson.fatherName', mask: 'name', why: 'names of third persons' },
  { path: 'naturalPerson.birthDate', mask: 'birth-date', ...PRIVACY_PASS, why: PERSONAL },
  { path: 'naturalPerson.socialName', mask: 'name', ...PRIVACY_PASS, why: PERSONAL },
  { path: 'naturalPerson.favoriteName', mask: 'name', ...PRIVACY_PASS, why: PERSONAL },
  { path: 'addresses.primary.line1', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.primary.line2', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.primary.zipCode', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional1.line1', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional1.line2', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional1.zipCode', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional2.line1', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional2.line2', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'addresses.additional2.zipCode', mask: 'address-line', ...PRIVACY_PASS, why: LOCATES },
  { path: 'legalPerson.representative.name', mask: 'name', why: 'the representative is a natural person' },
  { path: 'legalPerson.representative.document', mask: 'document', why: 'the representative is a natural person' },
  { path: 'legalPerson.representative.email', mask: 'email', why: 'the representative is a natural person' },
]);
export type HolderSearchName = (typeof HOLDER_PROTECTED_FIELDS.searchNames)[number];

const address = new Schema<Address>(
  { line1: String, line2: String, zipCode: String, city: String, state: String, country: String, description: String },
  { _id: false },
);

export const HolderSchema = new Schema<HolderRecord>(
  {
    _id: { type: String, default: () => uuidv7() },
    organizationId: { type: String, required: true },
    type: { type: String, enum: HOLDER_TYPES, required: true },
    name: { type: String, required: true },
    document: { type: String, required: true },
    externalId: String,
    addresses: { primary: address, additional1: address, additional2: address },
    contact: { primaryEmail: String, secondaryEmail: String, mobilePhone: String, otherPhone: String },
    naturalPerson: {
      favoriteName: String,
      socialName: String,
      gender: String,
      birthDate: String,
      civilStatus: String,
      nationality: String,
      motherName: String,
      fatherName: String,
      status: String,
    },
    legalPerson: {
      tradeName: String,
      activity: String,
      type: { type: String }, // spelled out: a bare `type: String` would declare legalPerson itself a string
      foundingDate: String,
      size: String,
      status: String,
      representative: { name: String, document: String, email: String, role: String },
    },
    metadata: { type: Schema.Types.Mixed },
    deletedAt: { type: Date, default: null },
  },
  { collection: COLLECTIONS.holders, timestamps: true, versionKey: false, minimize: true },
);

HolderSchema.plugin(outboxPlugin);

// One live holder per document per organization (CRM-0010). No partial index (FerretDB has none):
// deletedAt is part of the key, so soft-deleted copies (distinct dates) never collide with the live one (null).
HolderSchema.index(
  { organizationId: 1, [HOLDER_PROTECTED_FIELDS.tokenPath('document')]: 1, deletedAt: 1 },
  { unique: true, name: 'holders_live_document_unique' },
);
// Lists and keyset pagination: every query is scoped by organization and ordered by _id (UUIDv7 = creation order).
HolderSchema.index({ organizationId: 1, _id: 1 }, { name: 'holders_org_id' });
// GET /v1/holders?external_id=…
HolderSchema.index({ organizationId: 1, externalId: 1 }, { name: 'holders_org_external_id' });
