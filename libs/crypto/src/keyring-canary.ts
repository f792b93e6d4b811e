import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { isDuplicateKeyError } from '@crm/errors';
import { BlindIndex } from './blind-index';
import { KeyMismatchError } from './errors';
import { FieldCipher } from './field-cipher';
import { Keyring } from './keyring';

const COLLECTION = 'crypto_canary';
const CANARY_ID = 'keyring';
const CANARY_TEXT = 'crm keyring canary';
const AAD = FieldCipher.aad('-', COLLECTION, CANARY_ID, 'value');
const SCOPE = BlindIndex.scope(COLLECTION, 'token');

interface CanaryRecord {
  _id: string;
  value: string;
  token: string;
  createdAt: Date;
}

/**
 * Proves at boot that the configured keys can read what was stored before: a small record,
 * written under the keys of the first start (or of the last finished rotation), must decrypt and re-hash. If neither the current nor
 * a previous key can, the service refuses to start instead of writing data under a wrong key.
 */
@Injectable()
export class KeyringCanary implements OnModuleInit {
  private readonly logger = new Logger('KeyringCanary');
  private verifiedAt?: Date;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly keyring: Keyring,
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.verify();
  }

  get verified(): boolean {
    return this.verifiedAt !== undefined;
  }

  async verify(): Promise<void> {
    const collection = this.collection();
    let canary = await collection.findOne({ _id: CANARY_ID });
    if (!canary) {
      try {
        await collection.insertOne({ _id: CANARY_ID, ...this.sealedUnderCurrentKeys(), createdAt: new Date() });
        this.logger.log(
          `keyring canary written (encryption key ${this.keyring.encryption.id}, hash key ${this.keyring.hashing.id})`,
        );
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error; // another replica wrote it first
      }
      canary = await collection.findOne({ _id: CANARY_ID });
    }
    this.check(canary!);
    this.verifiedAt = new Date();
  }

  /** Which keys the stored canary was written with (null when there is none yet). */
  async keyUsage(): Promise<{ encryption?: string; hashing?: string } | null> {
    const canary = await this.collection().findOne({ _id: CANARY_ID });
    if (!canary) return null;
    return {
      encryption: FieldCipher.keyIdOf(canary.value),
      hashing: this.blindIndex.keyIdOf(canary.token, SCOPE, 'identifier', '-', CANARY_TEXT),
    };
  }

  /**
   * Writes the canary again under the current keys. Called once a rotation has moved every record
   * to them: from then on a start without the previous keys passes, and one with only the old keys fails.
   */
  async reseal(): Promise<void> {
    const collection = this.collection();
    const canary = await collection.findOne({ _id: CANARY_ID });
    if (!canary) return this.verify();
    this.check(canary);
    const current = this.sealedUnderCurrentKeys();
    if (FieldCipher.keyIdOf(canary.value) === this.keyring.encryption.id && canary.token === current.token) return; // already: a second run changes nothing
    await collection.updateOne(
      { _id: CANARY_ID, value: canary.value },
      { $set: { ...current, resealedAt: new Date() } },
    );
    this.logger.log(
      `keyring canary re-sealed (encryption key ${this.keyring.encryption.id}, hash key ${this.keyring.hashing.id})`,
    );
  }

  private collection() {
    return this.connection.collection<CanaryRecord>(COLLECTION);
  }

  private sealedUnderCurrentKeys(): Pick<CanaryRecord, 'value' | 'token'> {
    return {
      value: this.cipher.encrypt(CANARY_TEXT, AAD),
      token: this.blindIndex.tokenFor(SCOPE, 'identifier', '-', CANARY_TEXT),
    };
  }

  private check(canary: CanaryRecord): void {
    let text: unknown;
    try {
      text = this.cipher.decrypt(canary.value, AAD);
    } catch {
      throw new KeyMismatchError('encryption');
    }
    if (text !== CANARY_TEXT) throw new KeyMismatchError('encryption');
    if (!this.blindIndex.candidatesFor(SCOPE, 'identifier', '-', CANARY_TEXT).includes(canary.token))
      throw new KeyMismatchError('hash');
  }
}
