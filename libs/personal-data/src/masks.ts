/**
 * Masks for protected fields in answers (PERSONAL_DATA_ACCESS=masked). Each keeps what a person needs to
 * recognise the value and nothing more; the field declarations name one per protected field, and its
 * kind decides the field group a caller reveals it by.
 */
export type MaskKind = 'document' | 'email' | 'phone' | 'name' | 'address-line' | 'account' | 'birth-date';

/** What a caller reveals by name (`?reveal=contact`) and holds a permission for. */
export const FIELD_GROUPS = ['document', 'identity', 'contact', 'address', 'banking'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

interface Mask {
  group: FieldGroup;
  /** What stays visible, in words (OpenAPI descriptions, docs/data-protection.md). */
  shows: string;
  apply: (value: string) => string;
}

/** Stands for the hidden part of a value; never its length. */
const HIDDEN = '***';

const alphanumerics = (value: string) => value.replace(/[^0-9A-Za-z]/g, '');

/** The last characters, at most four and at most half of them, after a fixed mark. */
function lastFour(compact: string): string {
  const shown = Math.min(4, Math.floor(compact.length / 2));
  return `${HIDDEN}${compact.slice(compact.length - shown)}`;
}

function maskDocument(value: string): string {
  const compact = alphanumerics(value).toUpperCase();
  if (/^\d{11}$/.test(compact)) return `***.${compact.slice(3, 6)}.${compact.slice(6, 9)}-**`;
  if (/^[0-9A-Z]{12}\d{2}$/.test(compact)) return `**.***.***/${compact.slice(8, 12)}-**`;
  return lastFour(compact);
}

function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return HIDDEN;
  return `${Array.from(value)[0]}${HIDDEN}${value.slice(at)}`;
}

function maskName(value: string): string {
  const words = value.split(/\s+/).filter(Boolean);
  return words.length === 0 ? HIDDEN : words.map((word) => `${Array.from(word)[0]}${HIDDEN}`).join(' ');
}

export const MASKS: Readonly<Record<MaskKind, Mask>> = {
  document: {
    group: 'document',
    shows: 'CPF `***.456.789-**`, CNPJ `**.***.***/0001-**`, other documents their last 4 characters',
    apply: maskDocument,
  },
  email: { group: 'contact', shows: 'first letter and domain, `m***@example.com`', apply: maskEmail },
  phone: { group: 'contact', shows: 'last 4 digits, `***4321`', apply: (value) => lastFour(value.replace(/\D/g, '')) },
  name: { group: 'identity', shows: 'first letter of each word, `M*** d*** S***`', apply: maskName },
  'birth-date': {
    group: 'identity',
    shows: 'the year only, `1990-**-**`',
    apply: (value) => (/^\d{4}-/.test(value) ? `${value.slice(0, 4)}-**-**` : HIDDEN),
  },
  'address-line': {
    group: 'address',
    shows: 'nothing, `***` (city, state and country are not masked)',
    apply: () => HIDDEN,
  },
  account: {
    group: 'banking',
    shows: 'last 4 characters, `***6789`',
    apply: (value) => lastFour(alphanumerics(value)),
  },
};

/** A protected field as the masking reads its declaration. */
export interface MaskedFieldSpec {
  /** `contact.primaryEmail`, or `relatedParties[].name` for a field of every array element. */
  readonly path: string;
  readonly mask?: MaskKind;
}

/** How a field is masked, in words, for its OpenAPI description. */
export function maskNote(kind: MaskKind): string {
  return `With PERSONAL_DATA_ACCESS=masked it is answered masked (shows ${MASKS[kind].shows}) unless revealed with \`?reveal=${MASKS[kind].group}\` and an \`X-Access-Reason\`.`;
}

/**
 * A copy of an answer (a record or a page of records) with each declared field masked unless its group
 * is revealed. A field declared without a mask is hidden whole and shown only when every group is revealed.
 * The answer itself is left untouched.
 */
export function maskPersonalData<Answer>(
  answer: Answer,
  fields: readonly MaskedFieldSpec[],
  revealed: ReadonlySet<FieldGroup>,
): Answer {
  const everyGroup = FIELD_GROUPS.every((group) => revealed.has(group));
  const masks = fields.flatMap(({ path, mask }) => {
    const shown = mask ? revealed.has(MASKS[mask].group) : everyGroup;
    return shown ? [] : [{ keys: path.split('.'), apply: mask ? MASKS[mask].apply : () => HIDDEN }];
  });
  const maskRecord = (record: unknown) =>
    masks.reduce((masked, { keys, apply }) => maskedAt(masked, keys, apply), record);
  const items = (answer as { items?: unknown }).items;
  return (Array.isArray(items) ? { ...answer, items: items.map(maskRecord) } : maskRecord(answer)) as Answer;
}

/** A copy of `target` with the string at `keys` masked (`name[]`: in every element of that array). */
function maskedAt(target: unknown, keys: string[], apply: (value: string) => string): unknown {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return target;
  const [key, ...rest] = keys;
  const fields = target as Record<string, unknown>;
  if (key.endsWith('[]')) {
    const name = key.slice(0, -2);
    const items = fields[name];
    return Array.isArray(items) ? { ...fields, [name]: items.map((item) => maskedAt(item, rest, apply)) } : target;
  }
  const value = fields[key];
  if (rest.length > 0) return value === undefined ? target : { ...fields, [key]: maskedAt(value, rest, apply) };
  return typeof value === 'string' && value !== '' ? { ...fields, [key]: apply(value) } : target;
}
