import mongoose, { Connection, Model, Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  DecryptionError,
  KeyMaterial,
  ProtectedFieldSpec,
  ProtectedModelStatics,
  ProtectedQueryError,
} from '@crm/crypto';
// White-box: the plugin on a schema of its own, outside Nest (the lib's public API builds only Nest models).
import { BlindIndex } from '../../libs/crypto/src/blind-index';
import { FieldCipher } from '../../libs/crypto/src/field-cipher';
import { FieldProtector } from '../../libs/crypto/src/field-protector';
import { Keyring } from '../../libs/crypto/src/keyring';
import { fieldProtectionPlugin } from '../../libs/crypto/src/protection.plugin';
import { CrmException } from '@crm/errors';
import { ScopedStore } from '@crm/persistence';
import { randomKeyMaterial } from '../factories/keys';
import { expectNoPlaintext, rawCollectionText } from '../utils/raw-scan';

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
    deletedAt: Date,
  },
  { collection: 'things', timestamps: true, versionKey: false },
);
const SPECS: ProtectedFieldSpec[] = [
  { path: 'name' },
  { path: 'document', search: { as: 'document', normalizer: 'identifier' } },
  { path: 'contact.email', search: { as: 'contactEmail', normalizer: 'email' } },
  { path: 'secretDate' },
  { path: 'parties[].document', search: { as: 'partyDocuments', normalizer: 'identifier' } },
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
  createdAt?: Date;
  updatedAt?: Date;
  deletedAt?: Date;
};
type ThingModel = Model<Thing> & ProtectedModelStatics;

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
  const material = randomKeyMaterial();
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
  afterEach(async () => {
    jest.restoreAllMocks();
    await Things.deleteMany({});
  });
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

  it('insertMany (lean): stores ciphertext and tokens only, leaves the record plaintext, also when refused', async () => {
    const record: Record<string, unknown> = ana();
    const [answered] = await Things.insertMany([record], { lean: true });
    expect(answered).toBe(record);
    expect(record).toMatchObject({ name: PLAIN.name, document: PLAIN.document, contact: { email: PLAIN.email } });
    expect(typeof record._id).toBe('string');
    expect(record).not.toHaveProperty('search');
    const stored = await raw();
    expectNoPlaintext(stored, Object.values(PLAIN), [String(record._id), '"v1:']);
    expect((await search('document', '12345678909'))[0]._id).toBe(record._id);
    expect((await Things.findById(record._id).lean())!.contact!.email).toBe(PLAIN.email);
    // A write the database refuses (same _id) still hands the caller its plaintext back.
    await expect(Things.insertMany([record], { lean: true })).rejects.toThrow();
    expect(record).toMatchObject({ name: PLAIN.name, parties: [{ document: PLAIN.partyDocument }] });
    // Hydrated, too: the documents it answers hold plaintext.
    const [hydrated] = await Things.insertMany([ana()]);
    expect(hydrated.name).toBe(PLAIN.name);
    expectNoPlaintext(await raw(), Object.values(PLAIN), [String(record._id), String(hydrated._id), '"v1:']);
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

  it('refuses update queries that write protected fields unless they name one record and write whole fields', async () => {
    const { _id } = await Things.create(ana());
    const party = { document: '555.666.777-88', name: 'Pushed Party', role: 'LEGAL_REPRESENTATIVE' };
    const refused = [
      () => Things.updateOne({ _id }, { $set: { name: 'Renamed Person' } }), // no organizationId: unbound
      () => Things.updateOne({ _id, organizationId: org }, { $set: { 'contact.email': 'part@x.io' } }),
      () => Things.updateOne({ _id, organizationId: org }, { $push: { parties: party } }),
      () => Things.updateOne({ _id, organizationId: org }, { $set: { search: {} } }),
      () => Things.updateOne({ _id, organizationId: org }, { $set: { name: 'Upserted' } }, { upsert: true }),
      () => Things.updateOne({ _id }, { $set: { contact: { email: 'other@mail.net' } } }),
      () => Things.updateOne({ _id }, { $unset: { document: 1 } }),
      () => Things.updateOne({ _id }, { $push: { parties: party } }),
      () => Things.updateMany({ organizationId: org }, { $set: { name: 'Bulk Name' } }),
      () => Things.findOneAndUpdate({ _id }, { $set: { 'contact.email': 'lean@x.io' } }).lean(),
      () => Things.updateOne({ _id }, { $set: { name: 'Upserted' } }, { upsert: true }),
      () => Things.replaceOne({ _id }, { organizationId: org, name: 'Replaced' }),
      () => Things.findOneAndReplace({ _id }, { organizationId: org, name: 'Replaced' }),
    ];
    for (const [index, update] of refused.entries())
      await expect(update().then(() => `refused[${index}] passed`)).rejects.toThrow(ProtectedQueryError);
    expect(await Things.findById(_id).lean()).toMatchObject({
      name: PLAIN.name,
      document: PLAIN.document,
      contact: { email: PLAIN.email },
      parties: [{ name: PLAIN.partyName }],
    });
    expectNoPlaintext(await raw(), ['Renamed Person', 'Bulk Name', 'Pushed Party', 'Replaced'], [String(_id)]);
  });

  it('updates of plain paths pass, and findOneAndUpdate returns the decrypted record (hydrated and lean)', async () => {
    const { _id } = await Things.create(ana());
    await Things.updateMany({ organizationId: org }, { $set: { status: 'bulk' } });
    const hydrated = await Things.findOneAndUpdate({ _id }, { $set: { status: 'after' } }, { new: true });
    expect(hydrated).toMatchObject({ name: PLAIN.name, status: 'after' });
    const lean = await Things.findOneAndUpdate({ _id }, { $set: { status: 'lean' } }, { new: true }).lean();
    expect(lean).toMatchObject({ name: PLAIN.name, contact: { email: PLAIN.email }, status: 'lean' });
    expect(lean).not.toHaveProperty('search');
    expect(await search('contactEmail', PLAIN.email)).toHaveLength(1);
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

  it('updateOne naming the record: writes whole top-level fields sealed, unsets absent ones, recomputes tokens', async () => {
    const { _id } = await Things.create(ana());
    const before = (await Things.collection.findOne({ _id: _id as never }))!;
    const record = (await Things.findById(_id).lean())!;
    const contact = { email: 'new.address@example.org', phone: '555' };
    const parties = [
      ...record.parties!,
      { _id: randomUUID(), document: '444.555.666-77', name: 'Second Party', role: 'RESPONSIBLE_PARTY' },
    ];
    const update = { $set: { name: 'Maria Souza', contact, parties, status: 'open' }, $unset: { secretDate: '' } };
    const { matchedCount } = await Things.updateOne({ _id, organizationId: org }, update);
    expect(matchedCount).toBe(1);
    // The caller's values stay plaintext.
    expect(update.$set).toMatchObject({ name: 'Maria Souza', contact: { email: 'new.address@example.org' } });
    const stored = (await Things.collection.findOne({ _id: _id as never }))!;
    expect(stored.document).toBe(before.document); // not named: left as stored
    expect(stored).not.toHaveProperty('secretDate');
    expect(stored.status).toBe('open');
    expectNoPlaintext(await raw(), ['Maria Souza', 'new.address@example.org', 'Second Party'], [String(_id)]);
    expect(await Things.findById(_id).lean()).toMatchObject({
      name: 'Maria Souza',
      document: PLAIN.document,
      contact: { email: 'new.address@example.org', phone: '555' },
      parties: [{ name: PLAIN.partyName }, { name: 'Second Party' }],
    });
    expect(await search('contactEmail', 'new.address@example.org')).toHaveLength(1);
    expect(await search('contactEmail', PLAIN.email)).toHaveLength(0);
    expect(await search('partyDocuments', '444.555.666-77')).toHaveLength(1);
    expect(await search('document', PLAIN.document)).toHaveLength(1);

    // A field whose protected value is gone loses its token too; a filter that does not match writes nothing.
    await Things.updateOne({ _id, organizationId: org }, { $unset: { contact: '' } });
    expect(await Things.collection.findOne({ _id: _id as never })).not.toHaveProperty('search.contactEmail');
    expect(await search('contactEmail', 'new.address@example.org')).toHaveLength(0);
    const untouched = await raw();
    expect(
      (await Things.updateOne({ _id, organizationId: randomUUID() }, { $set: { name: 'X Y' } })).matchedCount,
    ).toBe(0);
    expect(await raw()).toBe(untouched);
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
      randomKeyMaterial({ previousEncryptKeys: [material.encryptKey], previousHashKeys: [material.hashKey] }),
    );
    expect((await rotated.findById(_id).lean())!.name).toBe(PLAIN.name);
    expect(
      await rotated.find({ organizationId: org, ...rotated.blindIndexFilter('document', org, PLAIN.document) }),
    ).toHaveLength(1);
    const stranger = modelFor(connection, randomKeyMaterial());
    await expect(stranger.findById(_id)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('find with sort and limit (lean) opens each record; a filter on a protected path is refused', async () => {
    await Things.create(ana());
    await Things.create({ ...ana(), status: 'closed' });
    const page = { sort: { _id: 1 as const }, limit: 10 };
    const filter = { organizationId: org, ...Things.blindIndexFilter('document', org, PLAIN.document) };
    const found = await Things.find(filter, null, page).lean();
    expect(found.map((thing) => thing.name)).toEqual([PLAIN.name, PLAIN.name]);
    expect(found[0]).toMatchObject({ contact: { email: PLAIN.email }, secretDate: new Date('1980-05-06T00:00:00Z') });
    expect(found[0]).not.toHaveProperty('search');
    expect(await Things.find({ organizationId: org, status: 'closed' }, null, page).lean()).toHaveLength(1);
    await expect(
      Things.find({ organizationId: org, document: PLAIN.document }, null, page).lean(),
    ).rejects.toBeInstanceOf(ProtectedQueryError);
  });

  it('ScopedStore.findById and patch: a foreign or deleted record is absent, and never decrypted', async () => {
    const { _id } = await Things.create(ana());
    const gone = await Things.create({ ...ana(), deletedAt: new Date() });
    const refusal = () => new CrmException('CRM-0010', { entityType: 'Thing' });
    // Keys that cannot open these records: any attempt to decrypt one throws.
    const stranger = new ScopedStore<Thing>(modelFor(connection, randomKeyMaterial()), refusal);
    expect(await stranger.findById(randomUUID(), _id)).toBeNull(); // another organization's
    await expect(stranger.findById(org, _id)).rejects.toBeInstanceOf(DecryptionError); // in scope: opened
    expect(await stranger.findById(org, gone._id)).toBeNull();
    expect(await stranger.findById(org, _id, { equal: { status: 'closed' } })).toBeNull();
    // A patch loads the same way: nothing out of scope is opened, let alone written.
    expect(await stranger.patch(randomUUID(), _id, { status: 'open' })).toBeNull();
    expect(await stranger.patch(org, gone._id, { status: 'open' })).toBeNull();
    await expect(stranger.patch(org, _id, { status: 'open' })).rejects.toBeInstanceOf(DecryptionError);

    const store = new ScopedStore<Thing>(Things, refusal);
    expect((await store.findById(org, _id))!.name).toBe(PLAIN.name);
    expect((await store.findById(org, gone._id, { includeDeleted: true }))!.name).toBe(PLAIN.name);
    await Things.updateOne({ _id }, { $set: { status: 'closed' } });
    expect((await store.findById(org, _id, { equal: { status: 'closed' } }))!.name).toBe(PLAIN.name);
    expect(await store.patch(org, _id, { name: 'Maria S.' }, { equal: { status: 'open' } })).toBeNull();
    expect((await store.patch(org, _id, { name: 'Maria S.' }, { equal: { status: 'closed' } }))!.name).toBe('Maria S.');
    expect((await store.findById(org, _id))!.name).toBe('Maria S.'); // saved, and sealed again on the way
    expectNoPlaintext(await raw(), ['Maria S.'], [String(_id)]);
  });

  it('ScopedStore.patch: a record deleted between its load and the write stays as it is; the patch finds none', async () => {
    const store = new ScopedStore<Thing>(Things, () => new CrmException('CRM-0010', { entityType: 'Thing' }));
    const deleteAfterLoad = (remove: () => Promise<unknown>) => {
      const collection = Things.collection as unknown as { findOne: (...args: unknown[]) => Promise<unknown> };
      const findOne = collection.findOne.bind(collection);
      jest.spyOn(collection, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
        const found = await findOne(...args);
        await remove();
        return found;
      });
    };
    const soft = await Things.create(ana());
    deleteAfterLoad(() => Things.updateOne({ _id: soft._id }, { $set: { deletedAt: new Date() } }));
    expect(await store.patch(org, soft._id, { name: 'Too Late' })).toBeNull();
    expect(await Things.findById(soft._id).lean()).toMatchObject({ name: PLAIN.name, deletedAt: expect.any(Date) });

    const hard = await Things.create(ana());
    deleteAfterLoad(() => Things.deleteOne({ _id: hard._id }));
    expect(await store.patch(org, hard._id, { name: 'Too Late' })).toBeNull();
    expect(await Things.countDocuments({ _id: hard._id })).toBe(0);

    // Without a deletion in between, the same patch is written.
    const live = await Things.create(ana());
    deleteAfterLoad(() => Promise.resolve());
    expect(await store.patch(org, live._id, { name: 'In Time' })).toMatchObject({ name: 'In Time' });
    expect((await Things.findById(live._id).lean())!.name).toBe('In Time');
  });

  describe('ScopedStore.patch against concurrent writes', () => {
    const store = () => new ScopedStore<Thing>(Things, () => new CrmException('CRM-0010', { entityType: 'Thing' }));
    /** Runs `meanwhile` after each of the next `times` loads of a record, before the patch that loaded it writes. */
    const afterLoads = (meanwhile: () => Promise<unknown>, times = 1) => {
      const collection = Things.collection as unknown as { findOne: (...args: unknown[]) => Promise<unknown> };
      const findOne = collection.findOne.bind(collection);
      const spy = jest.spyOn(collection, 'findOne');
      for (let i = 0; i < times; i++)
        spy.mockImplementationOnce(async (...args: unknown[]) => {
          const found = await findOne(...args);
          await meanwhile();
          return found;
        });
    };

    it('does not undo a patch of the same object that landed between its load and its write', async () => {
      const { _id } = await Things.create(ana());
      afterLoads(() => store().patch(org, _id, { contact: { phone: '999' } }));
      const patched = await store().patch(org, _id, { contact: { email: 'new.address@example.org' } });
      expect(patched!.contact).toEqual({ email: 'new.address@example.org', phone: '999' });
      expect((await Things.findById(_id).lean())!.contact).toEqual({ email: 'new.address@example.org', phone: '999' });
    });

    it('applies its array edits again to the array as it finds it after another write', async () => {
      const { _id } = await Things.create(ana());
      const party = (name: string) => ({ document: '444.555.666-77', name, role: 'RESPONSIBLE_PARTY' });
      const append = (name: string) => ({ edit: { parties: (parties: unknown[]) => [...parties, party(name)] } });
      afterLoads(() => store().patch(org, _id, {}, append('Appended Meanwhile')));
      const patched = await store().patch(org, _id, {}, append('Appended Last'));
      const names = [PLAIN.partyName, 'Appended Meanwhile', 'Appended Last'];
      expect(patched!.parties!.map((item) => item.name)).toEqual(names);
      expect((await Things.findById(_id).lean())!.parties!.map((item) => item.name)).toEqual(names);
    });

    it('gives up with 409 CRM-0046, writing nothing, when the record keeps changing', async () => {
      const { _id } = await Things.create(ana());
      let other = 0;
      // Each load is followed by another writer's change (its own updatedAt, as any patch writes).
      const otherWrite = () =>
        Things.updateOne(
          { _id },
          { $set: { status: `other-${++other}`, updatedAt: new Date(Date.now() + other * 1000) } },
          { timestamps: false },
        );
      afterLoads(otherWrite, 10);
      await expect(store().patch(org, _id, { name: 'Never Written' })).rejects.toMatchObject({ code: 'CRM-0046' });
      jest.restoreAllMocks();
      const stored = (await Things.findById(_id).lean())!;
      expect(stored.name).toBe(PLAIN.name);
      expect(stored.status).toBe(`other-${other}`); // the other writes all landed
      expect((await store().patch(org, _id, { name: 'Written' }))!.name).toBe('Written'); // and without them, it does
    });

    it('stamps now, not a stored updatedAt from the future (an imported date, a fast clock)', async () => {
      const { _id } = await Things.create(ana());
      const future = new Date('2099-01-01T00:00:00Z');
      await Things.updateOne({ _id }, { $set: { updatedAt: future } }, { timestamps: false });
      const before = Date.now();
      const patched = await store().patch(org, _id, { name: 'Maria S.' });
      expect(patched!.updatedAt!.getTime()).toBeGreaterThanOrEqual(before);
      expect(patched!.updatedAt!.getTime()).toBeLessThan(future.getTime());
      expect((await Things.findById(_id).lean())!.updatedAt).toEqual(patched!.updatedAt);
    });

    it('ignores keys given as undefined: nothing to write, updatedAt kept', async () => {
      const { _id } = await Things.create(ana());
      await Things.updateOne({ _id }, { $set: { 'contact.phone': null } }); // as stored by an older writer
      const before = (await Things.findById(_id).lean())!;
      const patched = await store().patch(org, _id, { contact: undefined, name: undefined });
      expect(patched!.updatedAt).toEqual(before.updatedAt);
      expect((await Things.findById(_id).lean())!.updatedAt).toEqual(before.updatedAt);
      // A key that is given is written, and moves updatedAt.
      const renamed = await store().patch(org, _id, { contact: undefined, name: 'Maria S.' });
      expect(renamed!.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());
    });
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
