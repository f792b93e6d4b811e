import { isValidCnpj, isValidCpf } from '@crm/documents';

export type PersonalDataKind = 'CPF' | 'CNPJ' | 'e-mail address' | 'phone number' | 'card number';

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * What kind of personal data a free-text value looks like, if any. Used to guard metadata, which is
 * stored in plain text: a value that is a CPF/CNPJ, an e-mail address, a phone or a card number.
 */
export function personalDataKind(value: string | number | boolean | null): PersonalDataKind | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  const text = String(value).trim();
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return 'e-mail address';
  const compact = text.replace(/[.\-/\s()]/g, '');
  if (/^\d{11}$/.test(compact) && isValidCpf(compact)) return 'CPF';
  if (/^[0-9A-Za-z]{12}\d{2}$/.test(compact) && isValidCnpj(compact)) return 'CNPJ';
  if (/^\d{13,19}$/.test(compact) && passesLuhn(compact)) return 'card number';
  if (/^\+?\d{10,15}$/.test(compact) && /[\s()+-]/.test(text)) return 'phone number';
  if (/^\+\d{10,15}$/.test(compact)) return 'phone number';
  return undefined;
}

/** Runs of digits with the separators documents and phone numbers are written with. */
const DIGIT_RUNS = /\+?\d[\d\s().\-/]*\d/g;

/**
 * What kind of personal data a text holds anywhere in it, if any: the whole text, each word, and each
 * run of digits is checked. For names that are logged (metadata keys) and free text that is (user
 * agents): `"contato maria@example.com"` or `"cpf 529.982.247-25"` are caught, `"customer since 2020"`
 * is not.
 */
export function personalDataKindIn(text: string): PersonalDataKind | undefined {
  const candidates = [text, ...text.split(/[\s,;:|=&"'<>()[\]{}]+/), ...(text.match(DIGIT_RUNS) ?? [])];
  for (const candidate of candidates) {
    const kind = candidate ? personalDataKind(candidate) : undefined;
    if (kind) return kind;
  }
  return undefined;
}

/**
 * A metadata key is logged, traced, audited or named in an error only when it holds no personal data
 * itself. Keys are names, so the test is stricter than for values: no `@` (a handle such as
 * `maria@corp` is an address without its domain) and no run of six digits or more (an account or a
 * phone number written without separators).
 */
export function isLoggableMetadataKey(key: string): boolean {
  return !key.includes('@') && !/\d{6}/.test(key) && personalDataKindIn(key) === undefined;
}
