import { metrics } from '@opentelemetry/api';

// Counts only: which operation, never on which value. A no-op unless telemetry was started first.
const operations = metrics
  .getMeter('crm.crypto')
  .createCounter('crm.crypto.operations', { description: 'Field encryptions, decryptions and blind-index hashes' });
const ENCRYPT = { operation: 'encrypt' } as const;
const DECRYPT = { operation: 'decrypt' } as const;
const HASH = { operation: 'hash' } as const;

export const cryptoMetrics = {
  encrypted: () => operations.add(1, ENCRYPT),
  decrypted: () => operations.add(1, DECRYPT),
  hashed: () => operations.add(1, HASH),
};
