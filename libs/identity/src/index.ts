export { canonicalIdentifier, identifierProblem } from './identifiers';
export { IsIdentifier } from './is-identifier';
export { isValidCnpj, isValidCpf } from './brazilian-documents';
export { MetadataPiiGuard } from './metadata-pii.guard';
export { isLoggableMetadataKey, personalDataKind, personalDataKindIn } from './personal-data';
export type { PersonalDataKind } from './personal-data';
