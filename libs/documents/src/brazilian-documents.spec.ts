import { isValidCnpj, isValidCpf } from './brazilian-documents';

describe('isValidCpf', () => {
  it.each(['529.982.247-25', '52998224725', '111.444.777-35'])('accepts %s', (cpf) =>
    expect(isValidCpf(cpf)).toBe(true),
  );
  it.each(['529.982.247-26', '11111111111', '1234567890', 'ABC.982.247-25', ''])('rejects %s', (cpf) =>
    expect(isValidCpf(cpf)).toBe(false),
  );
});

describe('isValidCnpj', () => {
  it.each(['11.222.333/0001-81', '11222333000181', '12.ABC.345/01DE-35', '12abc34501de35'])('accepts %s', (cnpj) =>
    expect(isValidCnpj(cnpj)).toBe(true),
  );
  it.each(['11.222.333/0001-82', '00000000000000', '12.ABC.345/01DE-36', '12.ABC.345/01DE-3X', '1122233300018'])(
    'rejects %s',
    (cnpj) => expect(isValidCnpj(cnpj)).toBe(false),
  );
});
