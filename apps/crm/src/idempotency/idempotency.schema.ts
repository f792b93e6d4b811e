import { Schema } from 'mongoose';
import { protectedFields } from '@crm/crypto';
import type { IdempotencyEntry } from './idempotency-entry';

export const IDEMPOTENCY_MODEL = 'IdempotencyKey';
export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';

/**
 * The first answer is the created record, personal data included: sealed by the crypto plugin, bound to
 * the organization, this collection, the entry's id and the field, like the records themselves.
 */
export const IDEMPOTENCY_PROTECTED_FIELDS = protectedFields([
  { path: 'answer', why: 'the created holder or alias as first answered, for replays: personal data' },
]);

export const IdempotencySchema = new Schema<IdempotencyEntry>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    requestHash: { type: String, required: true },
    state: { type: String, enum: ['claimed', 'done'], required: true },
    claim: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    status: { type: Number },
    answer: { type: String },
    completedAt: { type: Date },
  },
  // Indexes are created by IdempotencyStore at start, tolerating an engine that refuses the TTL index.
  { collection: IDEMPOTENCY_COLLECTION, versionKey: false, autoIndex: false },
);

// Every read and write names one entry by `_id` (with its organization, checked on the stored entry), so the
// `_id` index serves them all. The TTL index clears entries past their time; reads also treat them as absent,
// since its monitor runs about once a minute. A TTL index holds one field, so it cannot start with
// organizationId as the other collections' indexes do.
IdempotencySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'idempotency_keys_expiry' });
