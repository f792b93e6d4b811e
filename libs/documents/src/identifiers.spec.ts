import { canonicalIdentifier, identifierProblem } from './identifiers';

describe('canonicalIdentifier', () => {
  // Each input is a variant an attacker (or a careless client) could send for 12345678909 / AB12.
  it.each([
    ['ASCII with separators', ' 123.456.789-09 ', '12345678909'],
    ['alphanumeric CNPJ', '12.ABC.345/01DE-35', '12ABC34501DE35'],
    ['lower case', 'ab 12', 'AB12'],
    ['fullwidth digits', '１２３４５６７８９０９', '12345678909'],
    ['Arabic-Indic digits', '١٢٣٤٥٦٧٨٩٠٩', '12345678909'],
    ['Extended Arabic-Indic digits', '۱۲۳۴۵۶۷۸۹۰۹', '12345678909'],
    ['Devanagari digits', '१२३४५६७८९०९', '12345678909'],
    ['superscript digits', '¹²³⁴⁵⁶⁷⁸⁹⁰⁹', '12345678909'],
    ['mathematical bold digits', '𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎𝟗', '12345678909'],
    ['zero-width space', '123\u200B45678909', '12345678909'],
    ['zero-width joiner', '1234\u200D5678909', '12345678909'],
    ['soft hyphen', '12345\u00AD678909', '12345678909'],
    ['en dash and em dash', '123–456—78909', '12345678909'],
    ['no-break and ideographic spaces', '123\u00A0456\u300078909', '12345678909'],
    ['tab and newline', '123\t456\n78909', '12345678909'],
    [
      'NFD vs NFC of a letter',
      'ÁB12'.normalize('NFD'),
      'ÁB12'.normalize('NFC').replace(/[a-z]/g, (c) => c.toUpperCase()),
    ],
    ['ligature fi (NFKC: the letters f and i)', 'ﬁ77', 'FI77'],
    ['German sharp s is not upper-cased to SS', 'straße1', 'STRAßE1'],
    ['dotless i is not upper-cased to I', 'ıd99', 'ıD99'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalIdentifier(input)).toBe(expected);
  });

  it('maps NFC and NFD spellings of the same text to the same form', () => {
    expect(canonicalIdentifier('Ç12'.normalize('NFD'))).toBe(canonicalIdentifier('Ç12'.normalize('NFC')));
  });
});

describe('identifierProblem', () => {
  it.each([
    ['12345678909', undefined],
    ['１２３.４５６-７８９０９', undefined],
    ['   ', 'empty'],
    ['.-/', 'empty'],
    ['\u200B\u00AD', 'empty'],
    ['', 'empty'],
    ['straße1', 'characters'],
    ['ıd99', 'characters'],
    ['12345$', 'characters'],
    ['ÁB12', 'characters'],
  ] as const)('%j -> %s', (input, expected) => {
    expect(identifierProblem(input)).toBe(expected);
  });

  it('never lets two visually different ASCII identifiers collide', () => {
    expect(canonicalIdentifier('STRASSE1')).not.toBe(canonicalIdentifier('straße1'));
    expect(canonicalIdentifier('ID99')).not.toBe(canonicalIdentifier('ıd99'));
  });
});
