// The public API: declare protected fields, build protected models, read the statics they add, check the
// keys at boot (canary), rotate them (CLI) and digest values under a key. Ciphers, blind indexes and
// keyrings stay inside.
export { CryptoModule, protectedModel } from './crypto.module';
export { DecryptionError, KeyMismatchError, ProtectedQueryError } from './errors';
export type { KeyMaterial } from './keyring';
export { KeyringCanary } from './keyring-canary';
export { KeyedDigest } from './keyed-digest';
export { NORMALIZERS } from './normalizers';
export type { NormalizerName } from './normalizers';
export { ProtectedFields, protectedFields } from './protected-fields';
export type { ProtectedFieldSpec, SearchSpec } from './protected-fields';
export type { ProtectedModelStatics } from './protection.plugin';
export { KeyRotationInterruptedError, KeyRotationService } from './key-rotation/key-rotation.service';
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
