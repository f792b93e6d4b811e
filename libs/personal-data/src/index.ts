// What looks like personal data in free text (metadata, headers, URLs), and the metadata policy built on it.
export { MetadataPersonalDataPolicy, PersonalDataModule } from './metadata-personal-data.policy';
export { isLoggableMetadataKey, personalDataKind, personalDataKindIn } from './personal-data';
export type { PersonalDataKind } from './personal-data';
export { FIELD_GROUPS, MASKS, maskNote, maskPersonalData } from './masks';
export type { FieldGroup, MaskedFieldSpec, MaskKind } from './masks';
