export { CrmException } from './crm.exception';
export type { CrmExceptionDetails, ErrorEnvelope } from './crm.exception';
export { ERROR_CATALOG } from './error-catalog';
export type { ErrorCode } from './error-catalog';
export { isDuplicateKeyError } from './database-errors';
