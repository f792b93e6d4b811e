/**
 * CPF and CNPJ check digits (mod 11). The CNPJ rule covers the alphanumeric format Brazil introduced
 * in 2026: the first 12 characters may be letters, each worth its ASCII code minus 48; the two check
 * digits stay numeric. Punctuation (`.`, `-`, `/`, spaces) is ignored.
 */
const strip = (value: string) => value.replace(/[.\-/\s]/g, '').toUpperCase();

function checkDigit(characters: string, firstWeight: number, maxWeight: number): number {
  let sum = 0;
  let weight = firstWeight;
  for (const character of characters) {
    sum += (character.charCodeAt(0) - 48) * weight;
    weight = weight === 2 ? maxWeight : weight - 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

export function isValidCpf(value: string): boolean {
  const cpf = strip(value);
  if (!/^\d{11}$/.test(cpf) || /^(\d)\1{10}$/.test(cpf)) return false;
  const first = checkDigit(cpf.slice(0, 9), 10, 10);
  const second = checkDigit(cpf.slice(0, 10), 11, 11);
  return cpf.endsWith(`${first}${second}`);
}

export function isValidCnpj(value: string): boolean {
  const cnpj = strip(value);
  if (!/^[0-9A-Z]{12}\d{2}$/.test(cnpj) || /^(\d)\1{13}$/.test(cnpj)) return false;
  const first = checkDigit(cnpj.slice(0, 12), 5, 9);
  const second = checkDigit(cnpj.slice(0, 13), 6, 9);
  return cnpj.endsWith(`${first}${second}`);
}
