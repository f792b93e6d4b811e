import mongoose, { Connection, Model, Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  BlindIndex,
  DecryptionError,
  FieldCipher,
  fieldProtectionPlugin,
  FieldProtector,
  Keyring,
  KeyMaterial,
  ProtectedModelStatics,
  ProtectedQueryError,
} from '@crm/crypto';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';
import { testKeys } from '../utils/test-app';

// A Holder-shaped test schema with every kind of protected path: top level, nested, Mixed, array elements.
const partySchema = new Schema({
  _id: { type: String, default: () => uuidv7() },
  document: String,
  name: String,
  role: String,
});
const thingSchema = new Schema(
  {
    _id: { type: String, default: () => uuidv7() },
    organizationId: { type: String, required: true },
    name: String,
    document: String,
    contact: { email: String, phone: String },
    secretDate: Schema.Types.Mixed,
    parties: [partySchema],
    status: String,
  },
  { collection: 'things', timestamps: true, versionKey: false },
);
const SPECS = [
  { path: 'name' },
  { path: 'document', searchable: 'identifier' as const },
  { path: 'contact.email', searchable: 'email' as const },
  { path: 'secretDate' },
  { path: 'parties[].document', searchable: 'identifier' as const, searchAs: 'partyDocuments' },
  { path: 'parties[].name' },
];

type Thing = {
  _id: string;
  organizationId: string;
  name?: string;
  document?: string;
  contact?: { email?: string; phone?: string };
  secretDate?: Date;
  parties?: Array<{ _id?: string; document: string; name: string }>;
  status?: string;
};
type ThingModel = Model<Thing> & ProtectedModelStatics;

function keyMaterial(keys = testKeys(), previous: Partial<KeyMaterial> = {}): KeyMaterial {
  return {
    encryptKey: keys.LCRYPTO_ENCRYPT_SECRET_KEY,
    hashKey: keys.LCRYPTO_HASH_SECRET_KEY,
    previousEncryptKeys: [],
    previousHashKeys: [],
    ...previous,
  };
}

function modelFor(
  connection: Connection,
  material: KeyMaterial,
  name = `Thing${randomUUID().slice(0, 8)}`,
): ThingModel {
  const keyring = new Keyring(material);
  const schema = thingSchema.clone();
  schema.plugin(fieldProtectionPlugin, {
    protector: new FieldProtector('things', SPECS, new FieldCipher(keyring), new BlindIndex(keyring)),
  });
  return connection.model<Thing>(name, schema) as ThingModel;
}

describe('field-protection plugin on a real server', () => {
  const org = randomUUID();
  const material = keyMaterial();
  let connection: Connection;
  let Things: ThingModel;

  const PLAIN = {
    name: 'Maria Silva',
    document: '123.456.789-09',
    email: 'Maria.Silva@Example.com',
    partyDocument: '987.654.321-00',
    partyName: 'Joana Prado',
  };
  const ana = () => ({
    organizationId: org,
    name: PLAIN.name,
    document: PLAIN.document,
    contact: { email: PLAIN.email, phone: '555' },
    secretDate: new Date('1980-05-06T00:00:00Z'),
    parties: [{ document: PLAIN.partyDocument, name: PLAIN.partyName, role: 'PRIMARY_HOLDER' }],
  });
  const raw = () => rawCollectionText(connection, 'things');
  const search = (field: string, value: string) =>
    Things.find({ organizationId: org, ...Things.blindIndexFilter(field, org, value) });

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(process.env.MONGO_URI!, { dbName: `crm_plugin_${randomUUID().slice(0, 8)}` })
      .asPromise();
    Things = modelFor(connection, material);
  });
  afterEach(() => Things.deleteMany({}));
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('create: stores ciphertext and tokens only, and returns plaintext', async () => {
    const created = await Things.create(ana());
    expect(created.name).toBe(PLAIN.name);
    expect(created.isModified()).toBe(false);
    const stored = await raw();
    expectNoPlaintext(stored, Object.values(PLAIN), [String(created._id), '"v1:']);
    expect(stored).toContain('"search":');
  });

  it('find, findOne, findById (hydrated and lean) and cursors return plaintext, typed', async () => {
    const { _id } = await Things.create(ana());
    const hydrated = await Things.findById(_id);
    expect(hydrated!.toObject()).toMatchObject({
      name: PLAIN.name,
      document: PLAIN.document,
      contact: { email: PLAIN.email },
      parties: [{ name: PLAIN.partyName }],
    });
    expect(hydrated!.secretDate).toEqual(new Date('1980-05-06T00:00:00Z'));
    const lean = await Things.findOne({ _id }).lean();
    expect(lean).toMatchObject({ name: PLAIN.name, parties: [{ document: PLAIN.partyDocument }] });
    expect(lean!.secretDate).toBeInstanceOf(Date);
    expect(lean).not.toHaveProperty('search');
    expect(hydrated!.toObject()).not.toHaveProperty('search');
    const listed = await Things.find({ organizationId: org }).lean();
    expect(listed[0].contact!.email).toBe(PLAIN.email);
    const viaCursor: string[] = [];
    for await (const doc of Things.find({ organizationId: org }).cursor()) viaCursor.push(doc.name!);
    expect(viaCursor).toEqual([PLAIN.name]);
    const viaLeanCursor: Array<string | undefined> = [];
    for await (const doc of Things.find({ organizationId: org }).lean<Thing>().cursor())
      viaLeanCursor.push(doc.contact?.email);
    expect(viaLeanCursor).toEqual([PLAIN.email]);
  });

  it('search: finds by blind index, format-insensitively, never by plaintext', async () => {
    const { _id } = await Things.create(ana());
    expect((await search('document', '12345678909'))[0]._id).toBe(_id);
    expect((await search('contactEmail', ' maria.silva@example.COM'))[0]._id).toBe(_id);
    expect((await search('partyDocuments', '98765432100'))[0]._id).toBe(_id);
    expect(await search('document', '00000000000')).toHaveLength(0);
    await expect(Things.find({ document: PLAIN.document })).rejects.toThrow(ProtectedQueryError);
    await expect(Things.countDocuments({ 'contact.email': PLAIN.email })).rejects.toThrow(ProtectedQueryError);
  });

  it('save after a change: re-encrypts what changed, keeps the document in plaintext and clean', async () => {
    const doc = await Things.create(ana());
    doc.name = 'Maria Souza';
    doc.contact!.email = 'new.address@example.org';
    await doc.save();
    expect(doc.name).toBe('Maria Souza');
    expect(doc.isModified()).toBe(false);
    const stored = await raw();
    expectNoPlaintext(stored, ['Maria Souza', 'new.address@example.org', PLAIN.document], [String(doc._id)]);
    expect(await search('contactEmail', 'new.address@example.org')).toHaveLength(1);
    expect(await search('contactEmail', PLAIN.email)).toHaveLength(0);
    expect((await Things.findById(doc._id).lean())!.name).toBe('Maria Souza');
  });

  it('insertMany: encrypts plain objects without ids, returns plaintext', async () => {
    const inserted = await Things.insertMany([ana(), { ...ana(), name: 'Second Person', document: '111.222.333-44' }]);
    expect(inserted.map((doc) => doc.name)).toEqual([PLAIN.name, 'Second Person']);
    expectNoPlaintext(
      await raw(),
      [...Object.values(PLAIN), 'Second Person', '111.222.333-44'],
      inserted.map((doc) => String(doc._id)),
    );
    expect(await search('document', '11122233344')).toHaveLength(1);
  });

  it('updateOne with $set of a field and of a parent object; $unset removes the token', async () => {
    const { _id } = await Things.create(ana());
    await Things.updateOne(
      { _id, organizationId: org },
      { $set: { name: 'Renamed Person', contact: { email: 'other@mail.net', phone: '777' } } },
    );
    expectNoPlaintext(await raw(), ['Renamed Person', 'other@mail.net'], [String(_id), '777']);
    const updated = await Things.findById(_id).lean();
    expect(updated).toMatchObject({ name: 'Renamed Person', contact: { email: 'other@mail.net', phone: '777' } });
    expect(await search('contactEmail', 'other@mail.net')).toHaveLength(1);

    expect(await search('document', PLAIN.document)).toHaveLength(1);
    await Things.updateOne({ _id }, { $unset: { document: 1 } });
    expect((await Things.findById(_id).lean())!.document).toBeUndefined();
    expect(await search('document', PLAIN.document)).toHaveLength(0);
  });

  it('updateOne whose filter matches nothing writes nothing', async () => {
    const { _id } = await Things.create(ana());
    const result = await Things.updateOne({ organizationId: org, status: 'none' }, { $set: { name: 'Ghost' } });
    expect(result.matchedCount).toBe(0);
    // The one record is still there, unchanged, and no other (no upsert) was written.
    expect(await Things.countDocuments({})).toBe(1);
    expect((await Things.findById(_id).lean())!.name).toBe(PLAIN.name);
  });

  it('updateMany: each matched record gets its own ciphertext', async () => {
    await Things.insertMany([ana(), ana(), { ...ana(), status: 'other' }]);
    const result = await Things.updateMany(
      { organizationId: org, status: { $ne: 'other' } },
      { $set: { name: 'Bulk Name', status: 'bulk' } },
    );
    expect(result).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const names = (await Things.find({ organizationId: org }).sort({ status: 1 }).lean()).map((doc) => [
      doc.status,
      doc.name,
    ]);
    expect(names).toEqual([
      ['bulk', 'Bulk Name'],
      ['bulk', 'Bulk Name'],
      ['other', PLAIN.name],
    ]);
    expectNoPlaintext(await raw(), ['Bulk Name'], ['"bulk"']);
  });

  it('findOneAndUpdate returns the decrypted document (hydrated and lean)', async () => {
    const { _id } = await Things.create(ana());
    const hydrated = await Things.findOneAndUpdate({ _id }, { $set: { name: 'After Update' } }, { new: true });
    expect(hydrated!.name).toBe('After Update');
    const lean = await Things.findOneAndUpdate(
      { _id },
      { $set: { 'contact.email': 'lean@x.io' } },
      { new: true },
    ).lean();
    expect(lean!.contact!.email).toBe('lean@x.io');
    expectNoPlaintext(await raw(), ['After Update', 'lean@x.io'], [String(_id)]);
  });

  it('$push onto a protected array appends sealed elements and their tokens', async () => {
    const { _id } = await Things.create(ana());
    await Things.updateOne(
      { _id },
      { $push: { parties: { document: '555.666.777-88', name: 'Pushed Party', role: 'LEGAL_REPRESENTATIVE' } } },
    );
    const doc = await Things.findById(_id).lean();
    expect(doc!.parties!.map((party) => party.name)).toEqual([PLAIN.partyName, 'Pushed Party']);
    expect(await search('partyDocuments', '55566677788')).toHaveLength(1);
    expect(await search('partyDocuments', PLAIN.partyDocument)).toHaveLength(1);
    expectNoPlaintext(await raw(), ['Pushed Party', '555.666.777-88'], [String(_id), 'LEGAL_REPRESENTATIVE']);
  });

  it('removing an array element through save recomputes the array tokens', async () => {
    const doc = await Things.create({
      ...ana(),
      parties: [...ana().parties, { document: '444', name: 'Second Party', role: 'RESPONSIBLE_PARTY' }],
    });
    doc.parties!.splice(0, 1);
    await doc.save();
    expect(await search('partyDocuments', PLAIN.partyDocument)).toHaveLength(0);
    expect(await search('partyDocuments', '444')).toHaveLength(1);
  });

  it("swapping two records' ciphertexts in the raw collection makes both reads fail closed", async () => {
    const first = await Things.create(ana());
    const second = await Things.create({ ...ana(), name: 'Other Name' });
    const collection = connection.db!.collection<{ _id: string; name: string }>('things');
    const [a, b] = await Promise.all([collection.findOne({ _id: first._id }), collection.findOne({ _id: second._id })]);
    await collection.updateOne({ _id: first._id }, { $set: { name: b!.name } });
    await collection.updateOne({ _id: second._id }, { $set: { name: a!.name } });
    await expect(Things.findById(first._id)).rejects.toBeInstanceOf(DecryptionError);
    await expect(Things.findById(second._id).lean()).rejects.toBeInstanceOf(DecryptionError);
  });

  it('rotation: a keyring with the old keys as previous reads old records and finds them by old tokens', async () => {
    const { _id } = await Things.create(ana());
    const rotated = modelFor(
      connection,
      keyMaterial(testKeys(), { previousEncryptKeys: [material.encryptKey], previousHashKeys: [material.hashKey] }),
    );
    expect((await rotated.findById(_id).lean())!.name).toBe(PLAIN.name);
    expect(
      await rotated.find({ organizationId: org, ...rotated.blindIndexFilter('document', org, PLAIN.document) }),
    ).toHaveLength(1);
    const stranger = modelFor(connection, keyMaterial());
    await expect(stranger.findById(_id)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses schemas where a protected path cannot hold a ciphertext', () => {
    const bad = new Schema({ _id: String, organizationId: String, document: Number }, { collection: 'bad' });
    const keyring = new Keyring(material);
    expect(() =>
      bad.plugin(fieldProtectionPlugin, {
        protector: new FieldProtector('bad', [{ path: 'document' }], new FieldCipher(keyring), new BlindIndex(keyring)),
      }),
    ).toThrow('protected path document must be declared as String or Mixed');
  });
});
