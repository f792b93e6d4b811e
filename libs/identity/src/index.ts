export { canonicalIdentifier, identifierProblem } from './identifiers';
export { IsIdentifier } from './is-identifier';
export { isValidCnpj, isValidCpf } from './brazilian-documents';
export { MetadataPersonalDataPolicy, PersonalDataModule } from './metadata-personal-data.policy';
export { isLoggableMetadataKey, personalDataKind, personalDataKindIn } from './personal-data';
export type { PersonalDataKind } from './personal-data';
