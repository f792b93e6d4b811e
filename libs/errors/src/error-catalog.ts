/**
 * Every error code the API answers with. CRM-0001..0029 keep the original service's meaning;
 * CRM-0030 and above are this project's additions (listed in the README).
 */
export const ERROR_CATALOG = {
  'CRM-0001': {
    status: 400,
    title: 'Invalid Metadata Nesting',
    message: 'Metadata values must be strings, numbers, booleans or null; nested objects and arrays are not allowed.',
  },
  'CRM-0002': {
    status: 400,
    title: 'Metadata Key Length Exceeded',
    message: 'A metadata key exceeds the maximum length of 100 characters.',
  },
  'CRM-0003': {
    status: 400,
    title: 'Missing Fields in Request',
    message: 'Your request is missing one or more required fields.',
  },
  'CRM-0004': {
    status: 400,
    title: 'Invalid Field Type in Request',
    message: 'One or more fields have an invalid type or format, or the body is not valid JSON.',
  },
  'CRM-0005': {
    status: 400,
    title: 'Invalid Path Parameter',
    message: 'A path parameter is not in the expected format (UUID).',
  },
  'CRM-0006': { status: 404, title: 'Holder Not Found', message: 'No holder was found for the given id.' },
  'CRM-0007': {
    status: 400,
    title: 'Unexpected Fields in the Request',
    message: 'The request contains fields that are not allowed.',
  },
  'CRM-0008': { status: 404, title: 'Alias Not Found', message: 'No alias account was found for the given id.' },
  'CRM-0009': {
    status: 400,
    title: 'Pagination Limit Exceeded',
    message: 'The limit query parameter exceeds the maximum allowed.',
  },
  'CRM-0010': {
    status: 409,
    title: 'Document Already Associated',
    message: 'Another active holder of this organization already uses this document.',
  },
  'CRM-0011': { status: 400, title: 'Invalid Sort Order', message: 'sort_order must be asc or desc.' },
  'CRM-0012': {
    status: 400,
    title: 'Metadata Value Length Exceeded',
    message: 'A metadata value exceeds the maximum length of 2000 characters.',
  },
  'CRM-0013': {
    status: 409,
    title: 'Account Already Associated',
    message: 'This ledger account is already linked to an active alias.',
  },
  'CRM-0014': {
    status: 500,
    title: 'Internal Server Error',
    message: 'The server encountered an unexpected error. Quote the request id when reporting it.',
  },
  'CRM-0015': { status: 400, title: 'Bad Request', message: 'The request could not be processed.' },
  'CRM-0016': { status: 400, title: 'Invalid Query Parameter', message: 'One or more query parameters are invalid.' },
  'CRM-0017': {
    status: 400,
    title: 'Holder Has Aliases',
    message: 'The holder still has active alias accounts; delete them first.',
  },
  'CRM-0018': { status: 400, title: 'Missing Header', message: 'A required header is missing.' },
  'CRM-0022': { status: 400, title: 'Invalid Header', message: 'A header value is not in the expected format.' },
  'CRM-0023': {
    status: 400,
    title: 'Invalid Closing Date',
    message: 'closingDate cannot be before the alias creation date.',
  },
  'CRM-0024': {
    status: 404,
    title: 'Related Party Not Found',
    message: 'No related party was found for the given id.',
  },
  'CRM-0025': {
    status: 400,
    title: 'Invalid Related Party Role',
    message: 'role must be PRIMARY_HOLDER, LEGAL_REPRESENTATIVE or RESPONSIBLE_PARTY.',
  },
  'CRM-0026': { status: 400, title: 'Related Party Document Required', message: 'A related party needs a document.' },
  'CRM-0027': { status: 400, title: 'Related Party Name Required', message: 'A related party needs a name.' },
  'CRM-0028': {
    status: 400,
    title: 'Related Party Start Date Required',
    message: 'A related party needs a startDate.',
  },
  'CRM-0029': {
    status: 400,
    title: 'Invalid Related Party End Date',
    message: 'A related party endDate cannot be before its startDate.',
  },
  'CRM-0030': {
    status: 422,
    title: 'Ledger Not Found',
    message: 'The ledger does not exist in this organization in Midaz.',
  },
  'CRM-0031': {
    status: 422,
    title: 'Account Not Found',
    message: 'The account does not exist in that ledger in Midaz.',
  },
  'CRM-0032': {
    status: 503,
    title: 'Midaz Unavailable',
    message: 'The Midaz ledger could not be reached; nothing was stored. Try again later.',
  },
  'CRM-0033': {
    status: 400,
    title: 'Invalid Document',
    message: 'The document is not a valid CPF (natural person) or CNPJ (legal person).',
  },
  'CRM-0034': {
    status: 400,
    title: 'Personal Data In Metadata',
    message: 'A metadata value looks like personal data; metadata is stored in plain text.',
  },
  'CRM-0035': { status: 413, title: 'Request Body Too Large', message: 'The request body exceeds the allowed size.' },
  'CRM-0036': {
    status: 500,
    title: 'Stored Data Unreadable',
    message:
      'Stored data could not be decrypted (tampered value or unknown key). Quote the request id when reporting it.',
  },
  'CRM-0037': {
    status: 503,
    title: 'Database Unavailable',
    message: 'The database could not be reached. Try again later.',
  },
  'CRM-0038': { status: 404, title: 'Route Not Found', message: 'No route matches this method and path.' },
  'CRM-0039': {
    status: 415,
    title: 'Unsupported Media Type',
    message: 'The request body must be application/json (or application/merge-patch+json for PATCH).',
  },
  'CRM-0040': {
    status: 403,
    title: 'Midaz Refused Credentials',
    message: 'Midaz refused the credentials of this request (401/403); nothing was stored.',
  },
  'CRM-0041': {
    status: 503,
    title: 'Authorization Service Unavailable',
    message: 'The authorization service could not be reached or gave no usable answer. Try again later.',
  },
  'CRM-0042': { status: 401, title: 'Unauthorized', message: 'A valid bearer token is required.' },
  'CRM-0043': {
    status: 403,
    title: 'Forbidden',
    message: 'The token does not grant this action on this organization.',
  },
  'CRM-0044': {
    status: 503,
    title: 'Audit Unavailable',
    message: 'The request could not be recorded in the audit trail, so it was not processed. Try again later.',
  },
  'CRM-0045': {
    status: 405,
    title: 'Method Not Allowed',
    message: 'This route does not answer this method; the Allow header lists the ones it does.',
  },
  'CRM-0046': {
    status: 409,
    title: 'Record Kept Changing',
    message: 'The record kept changing while this update was applied, so nothing was written. Try again.',
  },
  'CRM-0047': {
    status: 431,
    title: 'Request Headers Too Large',
    message: 'The request headers exceed the allowed size.',
  },
  'CRM-0048': {
    status: 408,
    title: 'Request Timeout',
    message: 'The request was not received in time.',
  },
  'CRM-0049': {
    status: 409,
    title: 'Alias Creation Interrupted',
    message: 'The alias creation stalled so long that its unfinished alias was removed; nothing was stored. Try again.',
  },
  'CRM-0050': {
    status: 422,
    title: 'Idempotency Key Reused',
    message: 'This idempotency key was used for a different request; use a new key for a new request.',
  },
  'CRM-0051': {
    status: 409,
    title: 'Request In Progress',
    message: 'A request with this idempotency key is still being processed. Retry after the time in Retry-After.',
  },
  'CRM-0052': {
    status: 400,
    title: 'Access Reason Required',
    message: 'Revealing personal data requires an X-Access-Reason header stating why.',
  },
  'CRM-0053': {
    status: 403,
    title: 'Reveal Not Permitted',
    message: 'The caller lacks the permission to reveal these personal data fields.',
  },
  'CRM-0054': {
    status: 400,
    title: 'Invalid Reveal Request',
    message:
      'The reveal parameter or the X-Access-Reason header is not acceptable (unknown field group, reason too long, or a reason that looks like personal data).',
  },
} as const satisfies Record<string, { status: number; title: string; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
