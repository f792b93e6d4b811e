import { LegacyDecryptionError, LerianLegacyCipher } from './lerian-legacy-cipher';
import { LegacyDocument, reportedId } from './lerian-record.mapper';
import type { LegacyEntity } from './lerian-source';

/** Where a sampled document is, for the message: ids only. */
interface SampledAt {
  entity: LegacyEntity;
  organizationId: string;
  id: string;
}

/** What sampled source documents say about the legacy keys. */
export class KeyEvidence {
  opened = 0;
  readonly refused: SampledAt[] = [];
  tokensMatched = 0;
  readonly tokensDiffering: SampledAt[] = [];

  /**
   * Weighs one document by its `document` field: every holder and alias of the original has one,
   * encrypted, with its search token beside it, so it tests both keys. A value that is not a
   * ciphertext at all, or a document without a token, says nothing about the keys.
   */
  add(raw: LegacyDocument, entity: LegacyEntity, organizationId: string, cipher: LerianLegacyCipher): void {
    if (typeof raw.document !== 'string') return;
    const at = { entity, organizationId, id: reportedId(raw) };
    let plaintext: string;
    try {
      plaintext = cipher.decrypt(raw.document);
    } catch (error) {
      if (error instanceof LegacyDecryptionError && error.reason === 'authentication failed') this.refused.push(at);
      return;
    }
    this.opened += 1;
    const storedToken = (raw.search as { document?: unknown } | null | undefined)?.document;
    if (typeof storedToken !== 'string') return;
    if (cipher.token(plaintext) === storedToken) this.tokensMatched += 1;
    else this.tokensDiffering.push(at);
  }

  /**
   * Why the keys are wrong, or undefined. A key is taken for wrong only when most of the sampled
   * documents that could tell refuse it: a wrong AES-GCM key opens none of them, while a few
   * tampered or corrupted records among right ones are left to the plan, which names each.
   */
  problem(): string | undefined {
    if (this.refused.length > this.opened)
      return wrongKey(
        'the legacy encryption key (LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY) does not open the source data',
        this.refused,
        this.opened,
        'do not decrypt',
      );
    if (this.tokensDiffering.length > this.tokensMatched)
      return wrongKey(
        "the legacy hash key (LERIAN_LCRYPTO_HASH_SECRET_KEY) does not match the source's search tokens",
        this.tokensDiffering,
        this.tokensMatched,
        'give other tokens',
      );
    return undefined;
  }
}

function wrongKey(what: string, against: SampledAt[], agreeing: number, verb: string): string {
  const [first] = against;
  return (
    `${what}: ${against.length} of ${against.length + agreeing} sampled documents ${verb} ` +
    `(first: ${first.entity} ${first.id} of organization ${first.organizationId}). Nothing was written.`
  );
}
