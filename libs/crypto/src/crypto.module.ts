import { DynamicModule, Injectable, Module } from '@nestjs/common';
import { AsyncModelFactory } from '@nestjs/mongoose';
import { Schema } from 'mongoose';
import { BlindIndex } from './blind-index';
import { FieldCipher } from './field-cipher';
import { FieldProtector } from './field-protector';
import { KeyedDigest } from './keyed-digest';
import { KeyMaterial, Keyring } from './keyring';
import { KeyringCanary } from './keyring-canary';
import { KeyRotationService } from './key-rotation/key-rotation.service';
import { ProtectedCollections } from './key-rotation/protected-collections';
import { ProtectedFields, ProtectedFieldSpec } from './protected-fields';
import { fieldProtectionPlugin } from './protection.plugin';

/**
 * Puts the field-protection plugin on a schema and registers the collection for key rotation. The
 * only provider `protectedModel` needs: the cipher, blind index and keyring stay inside this module.
 */
@Injectable()
export class SchemaProtection {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
    private readonly collections: ProtectedCollections,
  ) {}

  /** A copy of the schema carrying the plugin (each application, and tests start several, gets its own keys). */
  protect(collection: string, schema: Schema, fields: readonly ProtectedFieldSpec[]): Schema {
    const protectedSchema = schema.clone();
    const protector = new FieldProtector(collection, fields, this.cipher, this.blindIndex);
    this.collections.register(protector);
    protectedSchema.plugin(fieldProtectionPlugin, { protector });
    return protectedSchema;
  }
}

/**
 * The keyring, cipher and blind index, built once from the key material (current and previous keys).
 * Global so that `protectedModel` works in any feature module, but what it exports is the small public
 * API: the canary (health), the key rotation (CLI), the schema protection `protectedModel` injects and
 * keyed digests (values compared but never stored). Business code never gets a cipher, a blind index or a key.
 */
@Module({})
export class CryptoModule {
  static forRoot(keys: KeyMaterial): DynamicModule {
    return {
      module: CryptoModule,
      global: true,
      providers: [
        { provide: Keyring, useFactory: () => new Keyring(keys) },
        { provide: FieldCipher, inject: [Keyring], useFactory: (keyring: Keyring) => new FieldCipher(keyring) },
        { provide: BlindIndex, inject: [Keyring], useFactory: (keyring: Keyring) => new BlindIndex(keyring) },
        { provide: KeyedDigest, inject: [Keyring], useFactory: (keyring: Keyring) => new KeyedDigest(keyring) },
        ProtectedCollections,
        SchemaProtection,
        KeyringCanary,
        KeyRotationService,
      ],
      exports: [SchemaProtection, KeyringCanary, KeyRotationService, KeyedDigest],
    };
  }
}

/** A model whose schema carries the field-protection plugin, for `MongooseModule.forFeatureAsync`. */
export function protectedModel(name: string, schema: Schema, fields: ProtectedFields): AsyncModelFactory {
  const collection = schema.get('collection');
  if (!collection)
    throw new Error(`${name}: a protected schema must name its collection (it is part of every ciphertext's binding)`);
  return {
    name,
    inject: [SchemaProtection],
    useFactory: (protection: SchemaProtection) => protection.protect(collection, schema, fields.specs),
  };
}
