/** Named request examples of an OpenAPI operation. */
type ExamplesObject = Record<string, { summary: string; value: Record<string, unknown> }>;

/** Request examples the OpenAPI document shows; a test sends each one and expects success. */
export const CREATE_HOLDER_EXAMPLES: ExamplesObject = {
  naturalPerson: {
    summary: 'A person (NATURAL_PERSON)',
    value: {
      type: 'NATURAL_PERSON',
      name: 'Maria Silva',
      document: '91315026015',
      externalId: 'CUST-0001',
      addresses: {
        primary: { line1: 'Rua das Flores, 100', zipCode: '01310-100', city: 'São Paulo', state: 'SP', country: 'BR' },
      },
      contact: { primaryEmail: 'maria.silva@example.com', mobilePhone: '+5511987654321' },
      naturalPerson: { birthDate: '1990-01-31', motherName: 'Ana Silva', nationality: 'Brazilian' },
      metadata: { segment: 'retail' },
    },
  },
  legalPerson: {
    summary: 'A company (LEGAL_PERSON)',
    value: {
      type: 'LEGAL_PERSON',
      name: 'Lerian Studio Ltda',
      document: '11.222.333/0001-81',
      contact: { primaryEmail: 'finance@example.com' },
      legalPerson: {
        tradeName: 'Lerian',
        foundingDate: '2020-05-01',
        representative: { name: 'João Souza', document: '52998224725', role: 'CFO' },
      },
    },
  },
};

export const UPDATE_HOLDER_EXAMPLES: ExamplesObject = {
  rename: {
    summary: 'Change the name and an e-mail, remove a phone (null removes)',
    value: { name: 'Maria Silva Santos', contact: { primaryEmail: 'maria.santos@example.com', mobilePhone: null } },
  },
  metadata: { summary: 'Merge metadata keys', value: { metadata: { segment: 'private', tier: 2 } } },
};
