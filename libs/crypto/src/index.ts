export { BlindIndex } from './blind-index';
export { CryptoModule, protectedModel } from './crypto.module';
export { DecryptionError, KeyMismatchError, ProtectedQueryError } from './errors';
export { FieldCipher } from './field-cipher';
export type { ProtectedValue } from './field-cipher';
export { FieldProtector } from './field-protector';
export type { ProtectedFieldSpec } from './field-protector';
export { fingerprint, Keyring } from './keyring';
export type { KeyMaterial } from './keyring';
export { KeyringCanary } from './keyring-canary';
export { NORMALIZERS } from './normalizers';
export type { NormalizerKind } from './normalizers';
export { fieldProtectionPlugin } from './protection.plugin';
export type { ProtectedModelStatics } from './protection.plugin';
export { KeyRotationService } from './key-rotation/key-rotation.service';
export type {
  CollectionKeyReport,
  CollectionRotation,
  ConfiguredKey,
  KeyCount,
  KeyReport,
  RotationOptions,
  RotationSummary,
} from './key-rotation/key-rotation.service';
export type { ProgressListener, ScanProgress } from './key-rotation/key-scan';
export { ProtectedCollections } from './key-rotation/protected-collections';
