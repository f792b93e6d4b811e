/**
 * Field-protection benchmark: `npm run bench`. Prints figures; it asserts nothing.
 *
 * One Holder-shaped document (11 protected fields, one blind index) is sealed (encrypt + index)
 * and opened (decrypt) by our FieldProtector, and the same 11 values by mongoose-field-encryption,
 * the popular peer plugin (AES-256-CBC, no index), side by side in this one run. node:crypto's raw
 * AES-256-GCM and HMAC over the same values, with cached keys, is the floor. Rounds alternate
 * between contenders and the median round is reported, since the machine is noisy.
 */
import 'reflect-metadata';
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { fieldEncryption } from 'mongoose-field-encryption';
import { BlindIndex } from '../libs/crypto/src/blind-index';
import { FieldCipher } from '../libs/crypto/src/field-cipher';
import { FieldProtector, plainAccess } from '../libs/crypto/src/field-protector';
import { Keyring } from '../libs/crypto/src/keyring';
import { randomKey, randomKeyMaterial } from '../test/factories/keys';
import { HOLDER_PROTECTED_FIELDS } from '../apps/crm/src/holder/holder.schema';

const ROUND_MS = 300;
const ROUNDS = 7;

const VALUES = {
  name: 'Maria Aparecida da Silva',
  document: '123.456.789-09',
  primaryEmail: 'maria.silva@example.com',
  secondaryEmail: 'maria@work.example.com',
  mobilePhone: '+55 11 98765-4321',
  otherPhone: '+55 11 3456-7890',
  motherName: 'Joana Aparecida da Silva',
  fatherName: 'José Carlos da Silva',
  representativeName: 'Carlos Eduardo Souza',
  representativeDocument: '987.654.321-00',
  representativeEmail: 'carlos.souza@example.com',
};

function holder(): Record<string, unknown> {
  return {
    _id: '0195f0a1-0000-7000-8000-000000000001',
    organizationId: '0195f0a1-0000-7000-8000-0000000000aa',
    type: 'NATURAL_PERSON',
    name: VALUES.name,
    document: VALUES.document,
    contact: {
      primaryEmail: VALUES.primaryEmail,
      secondaryEmail: VALUES.secondaryEmail,
      mobilePhone: VALUES.mobilePhone,
      otherPhone: VALUES.otherPhone,
    },
    naturalPerson: { motherName: VALUES.motherName, fatherName: VALUES.fatherName, gender: 'Female' },
    legalPerson: {
      representative: {
        name: VALUES.representativeName,
        document: VALUES.representativeDocument,
        email: VALUES.representativeEmail,
      },
    },
  };
}

interface Contender {
  name: string;
  prepare: () => unknown;
  run: (item: unknown) => void;
}

/** ops/s of each contender: rounds alternate between them; the median round counts. */
function measure(contenders: Contender[]): Map<string, number> {
  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const contender of contenders) {
      const batch = Array.from({ length: 200 }, contender.prepare);
      let operations = 0;
      let busy = 0;
      while (busy < ROUND_MS) {
        const started = process.hrtime.bigint();
        for (const item of batch) contender.run(item);
        busy += Number(process.hrtime.bigint() - started) / 1e6;
        operations += batch.length;
        for (let index = 0; index < batch.length; index++) batch[index] = contender.prepare();
      }
      samples.get(contender.name)!.push((operations / busy) * 1000);
    }
  }
  return new Map(
    [...samples].map(([name, values]) => [name, values.sort((a, b) => a - b)[Math.floor(values.length / 2)]]),
  );
}

function main(): void {
  const keyring = new Keyring(randomKeyMaterial());
  const cipher = new FieldCipher(keyring);
  const protector = new FieldProtector('holders', HOLDER_PROTECTED_FIELDS.specs, cipher, new BlindIndex(keyring));

  // The peer: mongoose-field-encryption on a flat schema holding the same 11 values.
  const peerSchema = new Schema(Object.fromEntries(Object.keys(VALUES).map((key) => [key, String])));
  peerSchema.plugin(fieldEncryption, { fields: Object.keys(VALUES), secret: randomKey() });
  const PeerModel = mongoose.model('PeerHolder', peerSchema);
  type PeerDoc = InstanceType<typeof PeerModel> & { encryptFieldsSync(): void; decryptFieldsSync(): void };

  // The floor: raw AES-256-GCM per value and one HMAC, keys cached as KeyObjects.
  const gcmKey = createSecretKey(randomBytes(32));
  const hmacKey = createSecretKey(randomBytes(32));
  const plainValues = Object.values(VALUES).map((value) => Buffer.from(value));
  const rawSeal = () => {
    const out: Buffer[] = [];
    for (const value of plainValues) {
      const nonce = randomBytes(12);
      const gcm = createCipheriv('aes-256-gcm', gcmKey, nonce);
      out.push(Buffer.concat([nonce, gcm.update(value), gcm.final(), gcm.getAuthTag()]));
    }
    createHmac('sha256', hmacKey).update(plainValues[1]).digest();
    return out;
  };
  const rawOpen = (sealed: Buffer[]) => {
    for (const body of sealed) {
      const gcm = createDecipheriv('aes-256-gcm', gcmKey, body.subarray(0, 12));
      gcm.setAuthTag(body.subarray(body.length - 16));
      Buffer.concat([gcm.update(body.subarray(12, body.length - 16)), gcm.final()]);
    }
  };

  const sealedHolder = () => {
    const record = holder();
    protector.seal(plainAccess(record));
    return record;
  };
  const encryptedPeer = () => {
    const doc = new PeerModel(VALUES) as PeerDoc;
    doc.encryptFieldsSync();
    return doc;
  };

  const results = measure([
    {
      name: 'ours: seal (encrypt + index)',
      prepare: holder,
      run: (item) => protector.seal(plainAccess(item as Record<string, unknown>)),
    },
    {
      name: 'peer: encryptFieldsSync',
      prepare: () => new PeerModel(VALUES),
      run: (item) => (item as PeerDoc).encryptFieldsSync(),
    },
    { name: 'floor: raw GCM + HMAC', prepare: () => null, run: () => rawSeal() },
    {
      name: 'ours: open (decrypt)',
      prepare: sealedHolder,
      run: (item) => protector.open(plainAccess(item as Record<string, unknown>)),
    },
    { name: 'peer: decryptFieldsSync', prepare: encryptedPeer, run: (item) => (item as PeerDoc).decryptFieldsSync() },
    { name: 'floor: raw GCM decrypt', prepare: rawSeal, run: (item) => rawOpen(item as Buffer[]) },
  ]);

  const rate = (name: string) => results.get(name)!;
  const line = (name: string) =>
    `  ${name.padEnd(32)} ${Math.round(rate(name)).toLocaleString('en-US').padStart(10)} docs/s`;
  process.stdout.write(
    `Field protection, one Holder-shaped document (11 protected fields, 1 blind index); median of ${ROUNDS} alternating rounds, Node ${process.versions.node}\n`,
  );
  for (const name of results.keys()) process.stdout.write(`${line(name)}\n`);
  process.stdout.write('Ratios (same run):\n');
  process.stdout.write(
    `  seal / peer encrypt      ${(rate('ours: seal (encrypt + index)') / rate('peer: encryptFieldsSync')).toFixed(2)}x\n`,
  );
  process.stdout.write(
    `  open / peer decrypt      ${(rate('ours: open (decrypt)') / rate('peer: decryptFieldsSync')).toFixed(2)}x\n`,
  );
  process.stdout.write(
    `  seal cost vs floor       ${(rate('floor: raw GCM + HMAC') / rate('ours: seal (encrypt + index)')).toFixed(2)}x the raw crypto time\n`,
  );
  process.stdout.write(
    `  open cost vs floor       ${(rate('floor: raw GCM decrypt') / rate('ours: open (decrypt)')).toFixed(2)}x the raw crypto time\n`,
  );
}

main();
