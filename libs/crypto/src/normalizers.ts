import { canonicalIdentifier } from '@crm/documents';

/**
 * One normalizer per searchable kind. The same function runs before hashing on write and on the
 * search input, so `123.456.789-09` and `12345678909` find each other.
 */
export const NORMALIZERS = {
  identifier: canonicalIdentifier,
  email: (value: string) => value.trim().toLowerCase(),
  phone: (value: string) => {
    const trimmed = value.trim();
    return `${trimmed.startsWith('+') ? '+' : ''}${trimmed.replace(/\D/g, '')}`;
  },
} as const satisfies Record<string, (value: string) => string>;

export type NormalizerName = keyof typeof NORMALIZERS;
