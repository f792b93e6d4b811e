/** Named request examples of an OpenAPI operation. */
type ExamplesObject = Record<string, { summary: string; value: Record<string, unknown> }>;

/** Request examples the OpenAPI document shows; a test sends each one (with the ledger account known to Midaz). */
export const CREATE_ALIAS_EXAMPLES: ExamplesObject = {
  full: {
    summary: 'An account with banking details and a related party',
    value: {
      ledgerId: '01965ed9-7fa4-75b2-8872-fc9e8509ab0a',
      accountId: '01965ed9-7fa4-75b2-8872-fc9e8509ab0b',
      bankingDetails: {
        branch: '0001',
        account: '123450',
        type: 'CACC',
        openingDate: '2025-01-01',
        iban: 'GB82WEST12345698765432',
        countryCode: 'BR',
        bankId: '001',
      },
      regulatoryFields: { participantDocument: '12345678' },
      relatedParties: [
        { document: '52998224725', name: 'João Souza', role: 'LEGAL_REPRESENTATIVE', startDate: '2025-01-01' },
      ],
      metadata: { channel: 'app' },
    },
  },
};

export const UPDATE_ALIAS_EXAMPLES: ExamplesObject = {
  closing: {
    summary: 'Set a closing date and append a related party',
    value: {
      bankingDetails: { closingDate: '2099-12-31' },
      relatedParties: [
        { document: '91315026015', name: 'Maria Silva', role: 'RESPONSIBLE_PARTY', startDate: '2025-06-01' },
      ],
    },
  },
};
