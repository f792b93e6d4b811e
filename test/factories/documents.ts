/**
 * Valid Brazilian documents, a different one per call (holders are unique by document within an
 * organization). The check digits follow the same mod-11 rule as the service's DOCUMENT_VALIDATION=br.
 */
let serial = Math.floor(Math.random() * 1_000_000);

function checkDigit(digits: string, firstWeight: number, maxWeight: number): number {
  let sum = 0;
  let weight = firstWeight;
  for (const digit of digits) {
    sum += Number(digit) * weight;
    weight = weight === 2 ? maxWeight : weight - 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** A unique valid CPF, 11 digits without punctuation. */
export function cpf(): string {
  return cpfOf(++serial);
}

/** The valid CPF numbered `n` (0 ≤ n < 900,000,000): distinct numbers give distinct CPFs. */
export function cpfOf(n: number): string {
  const base = String(100_000_000 + (n % 900_000_000)).padStart(9, '0');
  const first = checkDigit(base, 10, 10);
  return `${base}${first}${checkDigit(`${base}${first}`, 11, 11)}`;
}

/** A unique valid CNPJ (headquarters, branch 0001), 14 digits without punctuation. */
export function cnpj(): string {
  const base = `${String(10_000_000 + (++serial % 90_000_000))}0001`;
  const first = checkDigit(base, 5, 9);
  return `${base}${first}${checkDigit(`${base}${first}`, 6, 9)}`;
}
