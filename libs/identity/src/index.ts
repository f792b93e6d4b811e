export { isValidCnpj, isValidCpf } from './brazilian-documents';
export { MetadataPiiGuard } from './metadata-pii.guard';
export { personalDataKind } from './personal-data';
export type { PersonalDataKind } from './personal-data';
