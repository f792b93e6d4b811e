import { isLoggableMetadataKey, personalDataKind, personalDataKindIn } from './personal-data';

describe('personalDataKind', () => {
  it.each([
    ['529.982.247-25', 'CPF'],
    ['11.222.333/0001-81', 'CNPJ'],
    ['maria@example.com', 'e-mail address'],
    ['+55 11 98765-4321', 'phone number'],
    ['(11) 98765-4321', 'phone number'],
    ['4111 1111 1111 1111', 'card number'],
    [52998224725, 'CPF'],
  ])('%s is a %s', (value, kind) => expect(personalDataKind(value)).toBe(kind));

  it.each(['gold', 'customer since 2020', '12345', 2024, true, null, '2026-01-01', '4111 1111 1111 1112'])(
    '%s is not personal data',
    (value) => expect(personalDataKind(value)).toBeUndefined(),
  );
});

describe('personalDataKindIn (metadata keys, user agents)', () => {
  it.each([
    ['contato maria@example.com', 'e-mail address'],
    ['cpf 529.982.247-25', 'CPF'],
    ['cliente 11144477735', 'CPF'],
    ['ligar para +55 11 98765-4321 depois', 'phone number'],
    ['maria@example.com', 'e-mail address'],
  ])('%s holds a %s', (text, kind) => expect(personalDataKindIn(text)).toBe(kind));

  it.each([
    'customer since 2020',
    'tier',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    'order 12345',
  ])('%s holds none', (text) => expect(personalDataKindIn(text)).toBeUndefined());

  it('decides which metadata keys may be named', () => {
    expect(isLoggableMetadataKey('segment')).toBe(true);
    expect(isLoggableMetadataKey('email maria@example.com')).toBe(false);
    // A handle without a domain, and a long number (an account or a phone written without separators).
    expect(isLoggableMetadataKey('maria@corp')).toBe(false);
    expect(isLoggableMetadataKey('acct_00012345678')).toBe(false);
    expect(isLoggableMetadataKey('customer_since_2020')).toBe(true);
    expect(isLoggableMetadataKey('tier_2')).toBe(true);
  });
});
