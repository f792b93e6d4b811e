/** Unicode decimal digits come in runs of whole blocks of ten, each block ordered 0..9. */
const DECIMAL_DIGIT = /\p{Nd}/u;
/** Format characters (zero-width space and joiner, soft hyphen…), controls, separators and punctuation. */
const IGNORED = /[\p{Cf}\p{Cc}\p{Z}\p{P}]/gu;

const digitValues = new Map<string, string>();

/** The ASCII digit of any Unicode decimal digit (Arabic-Indic ٣ → 3); other characters unchanged. */
function asciiDigit(character: string): string {
  if (character >= '0' && character <= '9') return character;
  if (!DECIMAL_DIGIT.test(character)) return character;
  let value = digitValues.get(character);
  if (value === undefined) {
    const codePoint = character.codePointAt(0)!;
    let runStart = codePoint;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(runStart - 1))) runStart--;
    value = String((codePoint - runStart) % 10);
    digitValues.set(character, value);
  }
  return value;
}

/**
 * The canonical form of an identifier (document, account, IBAN): NFKC (fullwidth, superscript and
 * math digits and ligatures fold to their ASCII forms), every Unicode decimal digit as ASCII, no format
 * characters, spaces, dashes or other punctuation, and ASCII-only upper-casing (so `ß` or dotless `ı`
 * never turn into `SS` or `I`). A valid identifier is what remains when it is non-empty `[0-9A-Z]`.
 */
export function canonicalIdentifier(value: string): string {
  const folded = Array.from(value.normalize('NFKC').replace(IGNORED, ''), asciiDigit).join('');
  return folded.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** Why an identifier is unusable once canonical: 'empty', 'characters' (outside [0-9A-Z]), or undefined. */
export function identifierProblem(value: string): 'empty' | 'characters' | undefined {
  const canonical = canonicalIdentifier(value);
  if (canonical === '') return 'empty';
  return /^[0-9A-Z]+$/.test(canonical) ? undefined : 'characters';
}
