import { createHmac } from 'node:crypto';
import { cryptoMetrics } from './crypto-metrics';
import { Keyring, VersionedKey } from './keyring';
import { NORMALIZERS, NormalizerName } from './normalizers';

/**
 * HMAC-SHA256 blind indexes: equality search over encrypted fields without storing plaintext.
 * Each field has its own derived key (`crm:bidx:<collection>.<field>`), and the organization is part
 * of the hashed message, so equal values in two fields or two organizations give unrelated tokens.
 */
export class BlindIndex {
  constructor(private readonly keyring: Keyring) {}

  static scope(collection: string, fieldPath: string): string {
    return `crm:bidx:${collection}.${fieldPath}`;
  }

  /** Whether previous hash keys are configured: a value may then be indexed under more than one token. */
  get searchesPreviousKeys(): boolean {
    return this.keyring.allHashKeys().length > 1;
  }

  /** The token written for a value, under the current hash key. */
  tokenFor(scope: string, kind: NormalizerName, organizationId: string, value: string): string {
    return this.token(this.keyring.hashing, scope, kind, organizationId, value);
  }

  /** Tokens under the current and every previous hash key: a search matches any of them. */
  candidatesFor(scope: string, kind: NormalizerName, organizationId: string, value: string): string[] {
    return this.keyring.allHashKeys().map((hashKey) => this.token(hashKey, scope, kind, organizationId, value));
  }

  /** The id of the configured hash key that made `token` for this value, if any did. */
  keyIdOf(
    token: unknown,
    scope: string,
    kind: NormalizerName,
    organizationId: string,
    value: string,
  ): string | undefined {
    return this.keyring
      .allHashKeys()
      .find((hashKey) => this.token(hashKey, scope, kind, organizationId, value) === token)?.id;
  }

  private token(
    hashKey: VersionedKey,
    scope: string,
    kind: NormalizerName,
    organizationId: string,
    value: string,
  ): string {
    cryptoMetrics.hashed();
    return createHmac('sha256', this.keyring.scopedHashKey(hashKey, scope))
      .update(`${organizationId}\u0000${NORMALIZERS[kind](value)}`, 'utf8')
      .digest('base64url');
  }
}
