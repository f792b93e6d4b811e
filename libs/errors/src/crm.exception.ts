import { ERROR_CATALOG, ErrorCode } from './error-catalog';

/** The error body every failing request answers with. */
export interface ErrorEnvelope {
  code: ErrorCode;
  title: string;
  message: string;
  entityType?: string;
  fields?: Record<string, string>;
  requestId?: string;
}

export interface CrmExceptionDetails {
  message?: string;
  entityType?: string;
  fields?: Record<string, string>;
}

/** A domain error with a catalogued code; the exception filter turns it into the error envelope. */
export class CrmException extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly details: CrmExceptionDetails = {},
  ) {
    super(details.message ?? ERROR_CATALOG[code].message);
    this.name = 'CrmException';
    this.status = ERROR_CATALOG[code].status;
    this.title = ERROR_CATALOG[code].title;
  }

  toEnvelope(): ErrorEnvelope {
    const { entityType, fields } = this.details;
    return {
      code: this.code,
      title: this.title,
      message: this.message,
      ...(entityType ? { entityType } : {}),
      ...(fields ? { fields } : {}),
    };
  }
}
