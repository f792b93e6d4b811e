import { cnpj, cpf } from './documents';

type Overrides = Record<string, unknown>;

/** The least a NATURAL_PERSON holder needs; a fresh CPF per call. */
export const naturalPerson = <T extends Overrides>(overrides: T = {} as T) => ({
  type: 'NATURAL_PERSON',
  name: 'Maria Aparecida Silva',
  document: cpf(),
  ...overrides,
});

/** A NATURAL_PERSON holder with every protected and plain field filled in. */
export const completeNaturalPerson = <T extends Overrides>(overrides: T = {} as T) => ({
  ...naturalPerson(),
  externalId: 'EXT-1',
  addresses: {
    primary: {
      line1: 'Rua das Flores, 100',
      zipCode: '01000-000',
      city: 'São Paulo',
      state: 'SP',
      country: 'BR',
      description: 'Home',
    },
  },
  contact: { primaryEmail: 'maria.silva@example.com', mobilePhone: '+55 11 98765-4321' },
  naturalPerson: {
    favoriteName: 'Mari',
    birthDate: '1990-02-28',
    motherName: 'Joana Silva',
    fatherName: 'Carlos Silva',
    gender: 'Female',
  },
  metadata: { segment: 'retail', tier: 3, vip: true },
  ...overrides,
});

/** A LEGAL_PERSON holder with its legal-person details; a fresh CNPJ per call. */
export const legalPerson = <T extends Overrides>(overrides: T = {} as T) => ({
  type: 'LEGAL_PERSON',
  name: 'Acme Pagamentos Ltda',
  document: cnpj(),
  legalPerson: {
    tradeName: 'Acme',
    foundingDate: '2010-06-15',
    representative: { name: 'Rita Souza', document: '529.982.247-25', email: 'rita@acme.example', role: 'CEO' },
  },
  ...overrides,
});
