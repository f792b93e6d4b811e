import fc from 'fast-check';
import { FIELD_GROUPS, MaskKind, MASKS, maskPersonalData } from './masks';

describe('MASKS', () => {
  it.each<[MaskKind, string, string]>([
    ['document', '123.456.789-09', '***.456.789-**'],
    ['document', '12345678909', '***.456.789-**'],
    ['document', '11.222.333/0001-81', '**.***.***/0001-**'],
    ['document', '12ABC34501DE35', '**.***.***/01DE-**'],
    ['document', 'X1234567', '***4567'],
    ['document', 'AB12', '***12'],
    ['email', 'maria.silva@example.com', 'm***@example.com'],
    ['email', 'not-an-address', '***'],
    ['phone', '+55 11 98765-4321', '***4321'],
    ['name', 'Maria da Silva', 'M*** d*** S***'],
    ['name', 'Élodie', 'É***'],
    ['address-line', 'Rua das Flores, 100', '***'],
    ['account', '12345-6', '***456'],
    ['account', 'GB82 WEST 1234 5698 7654 32', '***5432'],
    ['birth-date', '1990-02-28', '1990-**-**'],
    ['birth-date', '28/02/1990', '***'],
  ])('%s %s → %s', (kind, value, masked) => expect(MASKS[kind].apply(value)).toBe(masked));

  it('has a field group for every mask, and every group masks something', () => {
    const groups = new Set(Object.values(MASKS).map((mask) => mask.group));
    expect([...groups].sort()).toEqual([...FIELD_GROUPS].sort());
  });
});

/** What a mask adds of its own: the hiding mark and the separators of the formats it writes. */
const MASK_MARKS = /[*.\-/ ]/g;
const revealedOf = (masked: string) => masked.replace(MASK_MARKS, '');

/** How many characters of a value each mask may show at most: its declared visible part. */
const VISIBLE: Record<MaskKind, (value: string) => number> = {
  document: (value) => (/^\d{11}$/.test(value.replace(/[^0-9A-Za-z]/g, '')) ? 6 : 4),
  email: (value) => (value.lastIndexOf('@') > 0 ? 1 + value.length - value.lastIndexOf('@') : 0),
  phone: () => 4,
  name: (value) => value.split(/\s+/).filter(Boolean).length,
  'address-line': () => 0,
  account: () => 4,
  'birth-date': () => 4,
};

/** Every character shown is one of the value's, used no more often than the value has it. */
function isDrawnFrom(shown: string, value: string): boolean {
  const left = Array.from(value);
  for (const character of Array.from(shown)) {
    const at = left.findIndex((candidate) => candidate === character || candidate.toUpperCase() === character);
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

describe('masks never show more than their declared visible part (property-based)', () => {
  const values: Record<MaskKind, fc.Arbitrary<string>> = {
    document: fc.oneof(
      fc.string(),
      fc.stringMatching(/^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$/),
      fc.stringMatching(/^[0-9A-Z]{12}\d{2}$/),
    ),
    email: fc.oneof(fc.string(), fc.emailAddress()),
    phone: fc.oneof(fc.string(), fc.stringMatching(/^\+?\d{2} \d{2} \d{4,5}-\d{4}$/)),
    name: fc.oneof(
      fc.string(),
      fc.array(fc.string({ minLength: 1 }), { maxLength: 6 }).map((words) => words.join(' ')),
    ),
    'address-line': fc.string(),
    account: fc.oneof(fc.string(), fc.stringMatching(/^[A-Z]{2}\d{2}( ?[0-9A-Z]{4}){2,7}$/)),
    'birth-date': fc.oneof(
      fc.string(),
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
    ),
  };

  it.each(Object.keys(MASKS) as MaskKind[])('%s', (kind) => {
    fc.assert(
      fc.property(values[kind], (value) => {
        const shown = revealedOf(MASKS[kind].apply(value));
        // An e-mail's visible domain keeps its own dots and dashes: the count is on what remains of it too.
        expect(shown.length).toBeLessThanOrEqual(VISIBLE[kind](value));
        expect(isDrawnFrom(shown, value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('maskPersonalData', () => {
  const fields = [
    { path: 'document', mask: 'document' },
    { path: 'contact.primaryEmail', mask: 'email' },
    { path: 'relatedParties[].name', mask: 'name' },
    { path: 'secret' },
  ] as const;
  const record = {
    id: 'r1',
    document: '12345678909',
    contact: { primaryEmail: 'maria@example.com' },
    relatedParties: [{ name: 'Roberto Lima' }, { name: 'Ana Souza' }],
    secret: 'kept',
  };

  it('masks each declared field of a record, and of every item of a page, leaving the original untouched', () => {
    const masked = maskPersonalData(record, fields, new Set());
    expect(masked).toEqual({
      id: 'r1',
      document: '***.456.789-**',
      contact: { primaryEmail: 'm***@example.com' },
      relatedParties: [{ name: 'R*** L***' }, { name: 'A*** S***' }],
      secret: '***',
    });
    expect(record.document).toBe('12345678909');
    const page = maskPersonalData({ items: [record, record], page: 1 }, fields, new Set());
    expect(page.items).toEqual([masked, masked]);
  });

  it('leaves the revealed groups plain; a field without a mask only when every group is revealed', () => {
    const masked = maskPersonalData(record, fields, new Set(['contact', 'identity'] as const));
    expect(masked.contact.primaryEmail).toBe('maria@example.com');
    expect(masked.relatedParties[0].name).toBe('Roberto Lima');
    expect(masked.document).toBe('***.456.789-**');
    expect(masked.secret).toBe('***');
    expect(maskPersonalData(record, fields, new Set(FIELD_GROUPS))).toEqual(record);
  });
});
