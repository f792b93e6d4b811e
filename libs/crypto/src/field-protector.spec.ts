import { BlindIndex } from './blind-index';
import { DecryptionError, ProtectedQueryError } from './errors';
import { FieldCipher } from './field-cipher';
import { FieldProtector, plainAccess } from './field-protector';
import { Keyring } from './keyring';
import { randomKeyMaterial } from '../../../test/factories/keys';

const keyring = new Keyring(randomKeyMaterial());
const cipher = new FieldCipher(keyring);
const protector = new FieldProtector(
  'things',
  [
    { path: 'name' },
    { path: 'document', search: { as: 'document', normalizer: 'identifier' } },
    { path: 'contact.email', search: { as: 'contactEmail', normalizer: 'email' } },
    { path: 'parties[].document', search: { as: 'partyDocuments', normalizer: 'identifier' } },
    { path: 'parties[].name' },
  ],
  cipher,
  new BlindIndex(keyring),
);

const record = () => ({
  _id: 'rec-1',
  organizationId: 'org-1',
  name: 'Ana',
  document: '123.456.789-09',
  contact: { email: 'Ana@Example.com', phone: 'plain' },
  parties: [
    { _id: 'p1', document: '11', name: 'Bia' },
    { document: '22', name: 'Caio' },
  ],
});

describe('FieldProtector', () => {
  it('seals every protected value, writes tokens, and opens back to the same record', () => {
    const stored = record();
    protector.seal(plainAccess(stored));
    expect(FieldCipher.isEnvelope(stored.name)).toBe(true);
    expect(FieldCipher.isEnvelope(stored.contact.email)).toBe(true);
    expect(stored.contact.phone).toBe('plain');
    expect(stored.parties[1]).toHaveProperty('_id');
    // No plaintext outside the envelopes and tokens, whose random base64 may spell "bia" by chance.
    const clear = JSON.stringify(stored, (key, value: unknown) =>
      key === 'search' ? undefined : typeof value === 'string' && FieldCipher.isEnvelope(value) ? '<sealed>' : value,
    );
    expect(clear).toContain('<sealed>');
    expect(clear).not.toMatch(/Ana|Bia|Caio|123\.456|12345678909|example/i);
    const search = (stored as unknown as { search: Record<string, unknown> }).search;
    expect(search).toEqual({
      document: expect.any(String),
      contactEmail: expect.any(String),
      partyDocuments: [expect.any(String), expect.any(String)],
    });
    expect(protector.searchFilter('document', 'org-1', '12345678909')).toEqual({
      'search.document': search.document,
    });

    protector.open(plainAccess(stored));
    expect(stored).toMatchObject({
      ...record(),
      parties: [
        { _id: 'p1', document: '11', name: 'Bia' },
        { document: '22', name: 'Caio' },
      ],
    });
  });

  it('binds array elements to their own id: reordering elements still opens', () => {
    const stored = record();
    protector.seal(plainAccess(stored));
    stored.parties.reverse();
    protector.open(plainAccess(stored));
    expect(stored.parties.map((party) => party.name)).toEqual(['Caio', 'Bia']);
  });

  it('refuses filters that compare protected paths with values', () => {
    expect(() => protector.assertFilter({ document: '1' })).toThrow(ProtectedQueryError);
    expect(() => protector.assertFilter({ $or: [{ organizationId: 'o' }, { 'contact.email': 'x' }] })).toThrow(
      ProtectedQueryError,
    );
    expect(() => protector.assertFilter({ contact: { email: 'x' } })).toThrow(ProtectedQueryError);
    expect(() => protector.assertFilter({ 'parties.document': '1' })).toThrow(ProtectedQueryError);
    expect(() => protector.assertFilter({ parties: { $elemMatch: { name: 'x' } } })).toThrow(
      'protected path "parties.name"',
    );
    expect(() => protector.assertFilter({ parties: { $elemMatch: { role: 'PRIMARY_HOLDER' } } })).not.toThrow();
    expect(() =>
      protector.assertFilter({ organizationId: 'o', 'search.document': { $in: ['t'] }, 'contact.phone': '1' }),
    ).not.toThrow();
    expect(() => protector.assertFilter({ 'contact.email': { $exists: true } })).not.toThrow();
  });

  describe('fields that accept legacy plaintext', () => {
    const tolerant = new FieldProtector(
      'things',
      [{ path: 'name' }, { path: 'address.line1', acceptsLegacyPlaintext: true }],
      cipher,
      new BlindIndex(keyring),
    );
    const legacyRecord = () => ({
      _id: 'rec-1',
      organizationId: 'org-1',
      name: 'Ana',
      address: { line1: 'Rua Velha, 1', city: 'Recife' },
    });

    it('read plaintext an older version wrote as it is, and report the field for re-sealing', () => {
      const stored = legacyRecord();
      tolerant.seal(plainAccess(stored), (field) => field.spec === 'name');
      expect(FieldCipher.isEnvelope(stored.name)).toBe(true);
      expect(stored.address.line1).toBe('Rua Velha, 1');
      expect(tolerant.open(plainAccess(stored)).map((field) => field.spec)).toEqual(['address.line1']);
      expect(stored).toMatchObject(legacyRecord());
    });

    it('decrypt what is encrypted and report nothing', () => {
      const stored = legacyRecord();
      tolerant.seal(plainAccess(stored));
      expect(FieldCipher.isEnvelope(stored.address.line1)).toBe(true);
      expect(tolerant.open(plainAccess(stored))).toEqual([]);
      expect(stored).toMatchObject(legacyRecord());
    });

    it('still fail closed on a damaged ciphertext, and on plaintext in a field encrypted from the start', () => {
      const damaged = legacyRecord();
      tolerant.seal(plainAccess(damaged));
      damaged.address.line1 = `${damaged.address.line1.slice(0, -4)}!!!!`;
      expect(() => tolerant.open(plainAccess(damaged))).toThrow(DecryptionError);
      expect(() => tolerant.open(plainAccess(legacyRecord()))).toThrow(DecryptionError);
    });
  });

  describe('touchesProtected (the plugin refuses update queries that do)', () => {
    it('sees protected fields written by operators, replacements and pipelines, whole or in part', () => {
      expect(protector.touchesProtected({ $set: { contact: {} } })).toBe(true);
      expect(protector.touchesProtected({ $set: { 'parties.0.name': 'x' } })).toBe(true);
      expect(protector.touchesProtected({ $push: { parties: { name: 'x' } } })).toBe(true);
      expect(protector.touchesProtected({ $unset: { document: '' } })).toBe(true);
      expect(protector.touchesProtected({ name: 'replacement' })).toBe(true);
      expect(protector.touchesProtected([{ $set: { 'search.document': 'x' } }])).toBe(true);
    });

    it('leaves updates of other paths alone', () => {
      expect(protector.touchesProtected({ $set: { 'contact.phone': '1', status: 'x' }, $inc: { count: 1 } })).toBe(
        false,
      );
      expect(protector.touchesProtected(null)).toBe(false);
    });
  });

  describe('key rotation', () => {
    const specs = [
      { path: 'name' },
      { path: 'document', search: { as: 'document', normalizer: 'identifier' as const } },
      { path: 'parties[].document', search: { as: 'partyDocuments', normalizer: 'identifier' as const } },
      { path: 'parties[].name' },
    ];
    const protectorUnder = (material: ReturnType<typeof randomKeyMaterial>) => {
      const ring = new Keyring(material);
      return { ring, protector: new FieldProtector('things', specs, new FieldCipher(ring), new BlindIndex(ring)) };
    };
    const oldKeys = randomKeyMaterial();
    const newKeys = randomKeyMaterial({
      previousEncryptKeys: [oldKeys.encryptKey],
      previousHashKeys: [oldKeys.hashKey],
    });
    const before = protectorUnder(oldKeys);
    const after = protectorUnder(newKeys);
    const storedUnderOldKeys = () => {
      const stored = record();
      before.protector.seal(plainAccess(stored));
      return stored as unknown as Record<string, unknown>;
    };

    it('tells which keys made the values and tokens of a stored record, sub-documents included', () => {
      const usage = after.protector.keyUsage(storedUnderOldKeys());
      expect(usage.current).toBe(false);
      expect(Object.fromEntries(usage.encryption)).toEqual({ [before.ring.encryption.id]: 6 });
      expect(Object.fromEntries(usage.hashing)).toEqual({ [before.ring.hashing.id]: 3 });
    });

    it('re-seals under the current keys with the same binding; the record then reads as current, and as before', () => {
      const stored = storedUnderOldKeys();
      const update = after.protector.resealUnderCurrentKeys(stored);
      expect(Object.keys(update.$set).sort()).toEqual([
        'document',
        'name',
        'parties',
        'search.document',
        'search.partyDocuments',
      ]);
      const rewritten = {
        ...structuredClone(stored),
        name: update.$set.name,
        document: update.$set.document,
        parties: update.$set.parties,
        search: { document: update.$set['search.document'], partyDocuments: update.$set['search.partyDocuments'] },
      };
      const usage = after.protector.keyUsage(rewritten);
      expect(usage.current).toBe(true);
      expect([...usage.encryption.keys()]).toEqual([after.ring.encryption.id]);
      expect([...usage.hashing.keys()]).toEqual([after.ring.hashing.id]);
      after.protector.open(plainAccess(rewritten));
      expect(rewritten).toMatchObject({
        name: 'Ana',
        document: '123.456.789-09',
        parties: [{ _id: 'p1', name: 'Bia' }, { name: 'Caio' }],
      });
    });

    it('a record mixing keys (one field written after the switch) is not current', () => {
      const stored = storedUnderOldKeys();
      const rewritten = record();
      after.protector.seal(plainAccess(rewritten));
      stored.name = rewritten.name;
      const usage = after.protector.keyUsage(stored);
      expect(usage.current).toBe(false);
      expect(usage.encryption.get(after.ring.encryption.id)).toBe(1);
    });

    it('fails closed on a value it cannot read, and produces no update', () => {
      const stored = storedUnderOldKeys();
      stored.name = stored.document;
      expect(() => after.protector.keyUsage(stored)).toThrow(DecryptionError);
      expect(() => after.protector.resealUnderCurrentKeys(stored)).toThrow(DecryptionError);
    });

    it('searches by the one current token, and during a rotation by every candidate token', () => {
      const stored = storedUnderOldKeys() as { search: { document: string } };
      expect(before.protector.searchFilter('document', 'org-1', '123.456.789-09')).toEqual({
        'search.document': stored.search.document,
      });
      const spanning = after.protector.searchFilter('document', 'org-1', '123.456.789-09');
      expect(spanning['search.document']).toEqual({ $in: expect.arrayContaining([stored.search.document]) });
      expect((spanning['search.document'] as { $in: string[] }).$in).toHaveLength(2);
    });

    it('says whether searches span previous hash keys (and so whether uniqueness needs a search first)', () => {
      expect(after.protector.searchesPreviousHashKeys).toBe(true);
      expect(before.protector.searchesPreviousHashKeys).toBe(false);
    });
  });
});
