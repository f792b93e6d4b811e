import { createHmac } from 'node:crypto';
import { cryptoMetrics } from './crypto-metrics';
import { Keyring } from './keyring';

const PURPOSE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Keyed digests for values that must be compared but never stored or confirmed: an HMAC-SHA256 under
 * a per-purpose key derived from the current hash key (`crm:digest:<purpose>`), over the organization
 * and the value. Without the key a stored digest cannot be checked against a guess (a plain hash of a
 * body holding a document could: documents are few enough to try them all). Only the current hash key
 * digests: a digest is compared with one made by the same deployment shortly before, never searched
 * across a rotation.
 */
export class KeyedDigest {
  constructor(private readonly keyring: Keyring) {}

  /** base64url(HMAC-SHA256(HKDF(hashKey, "crm:digest:<purpose>"), organizationId ‖ 0x00 ‖ value)). */
  digest(purpose: string, organizationId: string, value: string): string {
    if (!PURPOSE.test(purpose)) throw new Error(`digest purpose must be lower-case letters, digits and -: ${purpose}`);
    cryptoMetrics.hashed();
    const key = this.keyring.scopedHashKey(this.keyring.hashing, `crm:digest:${purpose}`);
    return createHmac('sha256', key).update(`${organizationId}\u0000${value}`, 'utf8').digest('base64url');
  }
}
