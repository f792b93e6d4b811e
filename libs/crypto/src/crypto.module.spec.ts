import { Global, Injectable, Module, Type } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { randomKeyMaterial } from '../../../test/factories/keys';
import { BlindIndex } from './blind-index';
import { CryptoModule } from './crypto.module';
import { FieldCipher } from './field-cipher';
import { Keyring } from './keyring';
import { KeyedDigest } from './keyed-digest';
import { KeyringCanary } from './keyring-canary';
import { KeyRotationService } from './key-rotation/key-rotation.service';

/** Stands in for MongooseModule's connection: nothing here touches the database (no module init). */
@Global()
@Module({ providers: [{ provide: getConnectionToken(), useValue: {} }], exports: [getConnectionToken()] })
class NoDatabase {}

/** A business module whose one provider needs `dependency`. */
function consumerOf(dependency: Type<unknown>): Type<unknown> {
  @Injectable()
  class Consumer {
    constructor(readonly used: unknown) {}
  }
  Reflect.defineMetadata('design:paramtypes', [dependency], Consumer);
  @Module({ providers: [Consumer] })
  class BusinessModule {}
  return BusinessModule;
}

const compileWith = (dependency: Type<unknown>) =>
  Test.createTestingModule({
    imports: [NoDatabase, CryptoModule.forRoot(randomKeyMaterial()), consumerOf(dependency)],
  }).compile();

describe('CryptoModule.forRoot(keys): what other modules may inject', () => {
  it.each([KeyringCanary, KeyRotationService, KeyedDigest])('offers %p (health, CLI, digests)', async (dependency) => {
    const module = await compileWith(dependency);
    expect(module.get(dependency, { strict: false })).toBeInstanceOf(dependency);
    await module.close();
  });

  it.each([FieldCipher, BlindIndex, Keyring])('keeps %p to itself', async (dependency) => {
    await expect(compileWith(dependency)).rejects.toThrow(/can't resolve dependencies/i);
  });
});
