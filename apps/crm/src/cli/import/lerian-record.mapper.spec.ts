import { Binary } from 'bson';
import { lerianExpected, lerianFixtureKeys, lerianRawCollections } from '../../../../../test/utils/lerian-fixture';
import { LegacyDecryptionError, LerianLegacyCipher } from './lerian-legacy-cipher';
import { aliasFromLegacy, holderFromLegacy, LegacyShapeError, uuidText } from './lerian-record.mapper';

const keys = lerianFixtureKeys();
const cipher = new LerianLegacyCipher({
  encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
  hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
});
const raw = lerianRawCollections();
const ORG = '0192f1a8-0000-7000-8000-00000000f001';
const holders = raw.find(({ collection }) => collection === `holders_${ORG}`)!.documents;
const aliases = raw.find(({ collection }) => collection === `aliases_${ORG}`)!.documents;

describe('the original records as ours', () => {
  it('ids: 16-byte Binary of subtype 0, 3 or 4, or UUID text, become lower-case UUID text', () => {
    const bytes = Buffer.from('01a209ad083d740580c243eadddea3f4', 'hex');
    for (const subtype of [0, 3, 4])
      expect(uuidText(new Binary(bytes, subtype), '_id')).toBe('01a209ad-083d-7405-80c2-43eadddea3f4');
    expect(uuidText('01A209AD-083D-7405-80C2-43EADDDEA3F4', '_id')).toBe('01a209ad-083d-7405-80c2-43eadddea3f4');
    expect(() => uuidText(new Binary(Buffer.alloc(12), 0), '_id')).toThrow(LegacyShapeError);
    expect(() => uuidText(42, 'holder_id')).toThrow('holder_id is not a UUID');
  });

  it('a holder: camelCase fields, decrypted values, calendar dates, timestamps and metadata as stored', () => {
    const legal = holders.find((holder) => holder.type === 'LEGAL_PERSON')!;
    const holder = holderFromLegacy(legal, ORG, cipher);
    const expected = lerianExpected('holders').find(({ response }) => response.id === holder._id)!.response;
    expect(holder).toMatchObject({
      organizationId: ORG,
      name: expected.name,
      document: expected.document,
      externalId: expected.externalId,
      contact: expected.contact,
      metadata: expected.metadata,
    });
    expect(holder.legalPerson).toEqual(expected.legalPerson); // foundingDate: BSON date → "2010-03-01"
    expect(holder.addresses?.primary).toEqual({
      line1: 'Av. Brasil 2',
      zipCode: '20040-002',
      city: 'Rio de Janeiro',
      state: 'RJ',
      country: 'BR',
    });
    expect(holder.createdAt).toEqual(legal.created_at);
    expect(holder.deletedAt).toBeNull();
    expect(holder).not.toHaveProperty('search');
  });

  it('an alias: holder id as text, related parties with their ids, dates as YYYY-MM-DD', () => {
    const source = aliases.find((alias) => alias.banking_details.closing_date)!;
    const alias = aliasFromLegacy(source, ORG, cipher);
    const expected = lerianExpected('aliases').find(({ response }) => response.id === alias._id)!.response;
    expect(alias.holderId).toBe(expected.holderId);
    expect(alias.bankingDetails).toEqual(expected.bankingDetails);
    expect(alias.regulatoryFields).toEqual(expected.regulatoryFields);
    expect(alias.relatedParties).toEqual(
      expected.relatedParties.map(({ id, ...party }: { id: string }) => ({ _id: id, ...party })),
    );
  });

  it('a value that does not decrypt, or a protected field that is not a ciphertext, is refused', () => {
    expect(() => holderFromLegacy({ ...holders[0], name: holders[1].name.slice(0, -4) + 'AAA=' }, ORG, cipher)).toThrow(
      LegacyDecryptionError,
    );
    expect(() => holderFromLegacy({ ...holders[0], document: 12345 }, ORG, cipher)).toThrow(
      'document is not a legacy ciphertext',
    );
    expect(() => holderFromLegacy({ ...holders[0], created_at: 'yesterday' }, ORG, cipher)).toThrow(LegacyShapeError);
  });

  it("an alias's holder_id must be a UUID: a text or a missing one is refused without being echoed", () => {
    expect(() => aliasFromLegacy({ ...aliases[0], holder_id: 'Maria Silva' }, ORG, cipher)).toThrow(
      new LegacyShapeError('holder_id is not a UUID'),
    );
    const { holder_id: _holderId, ...withoutHolder } = aliases[0];
    expect(() => aliasFromLegacy(withoutHolder, ORG, cipher)).toThrow(new LegacyShapeError('holder_id is not a UUID'));
  });

  it('unknown fields are kept (camelCase) so that our validation refuses them', () => {
    expect(holderFromLegacy({ ...holders[0], risk_level: 'high' }, ORG, cipher)).toHaveProperty('riskLevel', 'high');
  });
});
