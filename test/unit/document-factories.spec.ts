import { isValidCnpj, isValidCpf } from '@crm/documents';
import { cnpj, cpf } from '../factories/documents';

describe('document factories', () => {
  it('make valid CPFs, all different', () => {
    const made = Array.from({ length: 2000 }, cpf);
    expect(made.filter((document) => !isValidCpf(document))).toEqual([]);
    expect(new Set(made).size).toBe(made.length);
    expect(made.every((document) => /^\d{11}$/.test(document))).toBe(true);
  });

  it('make valid CNPJs, all different', () => {
    const made = Array.from({ length: 2000 }, cnpj);
    expect(made.filter((document) => !isValidCnpj(document))).toEqual([]);
    expect(new Set(made).size).toBe(made.length);
    expect(made.every((document) => /^\d{14}$/.test(document))).toBe(true);
  });

  it('the check is not vacuous: a changed check digit is refused', () => {
    const document = cpf();
    const wrong = `${document.slice(0, 10)}${(Number(document[10]) + 1) % 10}`;
    expect([isValidCpf(document), isValidCpf(wrong)]).toEqual([true, false]);
  });
});
