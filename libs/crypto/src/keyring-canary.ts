import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
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
 * written under the keys of the first start, must decrypt and re-hash. If neither the current nor
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
    const collection = this.connection.collection<CanaryRecord>(COLLECTION);
    let canary = await collection.findOne({ _id: CANARY_ID });
    if (!canary) {
      try {
        await collection.insertOne({
          _id: CANARY_ID,
          value: this.cipher.encrypt(CANARY_TEXT, AAD),
          token: this.blindIndex.tokenFor(SCOPE, 'identifier', '-', CANARY_TEXT),
          createdAt: new Date(),
        });
        this.logger.log(`keyring canary written (encryption key ${this.keyring.encryption.id}, hash key ${this.keyring.hashing.id})`);
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error; // another replica wrote it first
      }
      canary = await collection.findOne({ _id: CANARY_ID });
    }
    this.check(canary!);
    this.verifiedAt = new Date();
  }

  private check(canary: CanaryRecord): void {
    let text: unknown;
    try {
      text = this.cipher.decrypt(canary.value, AAD);
    } catch {
      throw new KeyMismatchError('encryption');
    }
    if (text !== CANARY_TEXT) throw new KeyMismatchError('encryption');
    if (!this.blindIndex.candidatesFor(SCOPE, 'identifier', '-', CANARY_TEXT).includes(canary.token)) throw new KeyMismatchError('hash');
  }
}
