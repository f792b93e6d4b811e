import { Global, Module } from '@nestjs/common';
import { AsyncModelFactory } from '@nestjs/mongoose';
import { Schema } from 'mongoose';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { BlindIndex } from './blind-index';
import { FieldCipher } from './field-cipher';
import { FieldProtector, ProtectedFieldSpec } from './field-protector';
import { Keyring } from './keyring';
import { KeyringCanary } from './keyring-canary';
import { ProtectedCollections } from './key-rotation/protected-collections';
import { fieldProtectionPlugin } from './protection.plugin';

/** The keyring, cipher and blind index, built once from the validated configuration. */
@Global()
@Module({
  providers: [
    { provide: Keyring, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new Keyring(config.crypto) },
    { provide: FieldCipher, inject: [Keyring], useFactory: (keyring: Keyring) => new FieldCipher(keyring) },
    { provide: BlindIndex, inject: [Keyring], useFactory: (keyring: Keyring) => new BlindIndex(keyring) },
    KeyringCanary,
    ProtectedCollections,
  ],
  exports: [Keyring, FieldCipher, BlindIndex, KeyringCanary, ProtectedCollections],
})
export class CryptoModule {}

/**
 * A model whose schema carries the field-protection plugin, for `MongooseModule.forFeatureAsync`.
 * The schema is cloned so that each application (tests start several) gets its own keys.
 */
export function protectedModel(name: string, schema: Schema, fields: ProtectedFieldSpec[]): AsyncModelFactory {
  const collection = schema.get('collection');
  if (!collection)
    throw new Error(`${name}: a protected schema must name its collection (it is part of every ciphertext's binding)`);
  return {
    name,
    inject: [FieldCipher, BlindIndex, ProtectedCollections],
    useFactory: (cipher: FieldCipher, blindIndex: BlindIndex, collections: ProtectedCollections) => {
      const protectedSchema = schema.clone();
      const protector = new FieldProtector(collection, fields, cipher, blindIndex);
      collections.register(protector);
      protectedSchema.plugin(fieldProtectionPlugin, { protector });
      return protectedSchema;
    },
  };
}
