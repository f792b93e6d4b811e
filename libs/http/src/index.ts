export { answerClientError } from './client-errors';
export { CrmExceptionFilter, toCrmException } from './crm-exception.filter';
export { acceptJsonBodiesOnly, JSON_MEDIA_TYPES } from './json-bodies';
export { JSON_LIMITS, JsonShapePipe, jsonShapeProblem } from './json-shape.pipe';
export {
  Caller,
  REQUEST_ID_HEADER,
  REQUEST_ID_REPLACED_HEADER,
  rawRequestOf,
  requestIdOf,
  requestIdRefusalOf,
} from './request-id';
export type { CallerContext, RequestIdRefusal } from './request-id';
export { ORGANIZATION_HEADER, OrganizationGuard, OrganizationScoped, Tenant } from './tenant';
export type { TenantContext } from './tenant';
export { RouteMethods } from './route-methods';
export { UuidParamPipe } from './uuid-param.pipe';
export { IsCanonicalUuid } from './canonical-uuid';
export { asQueryException, CrmValidationPipe, validationErrorToException } from './validation';
export { CalendarDateFromDateTime, IsCalendarDate, isCalendarDate } from './calendar-date';
export {
  digitsToInteger,
  HardDeleteQuery,
  IncludeDeletedQuery,
  ListQuery,
  ListQueryPipe,
  toBoolean,
} from './list-query';
export type { WithMetadataFilters } from './list-query';
export { IsMetadata, METADATA_LIMITS, metadataKeyProblem, metadataProblem } from './metadata';
export type { Metadata, MetadataValue } from './metadata';
export { ApiErrors, ApiMetadataFilters, ApiUuidParams, ErrorEnvelopeDto } from './openapi';
export { isValidPagingValue, pageOf, resolvePaging } from './pagination';
export type { PageOf } from './pagination';
