import { deserialize, Document, serialize } from 'bson';
import type { AppConfig } from '@crm/config';
import { lerianFixtureKeys, lerianRawCollections } from '../../../../../test/utils/lerian-fixture';
import type { AliasAccountRecord } from '../../alias-account/alias-account.schema';
import type { HolderRecord } from '../../holder/holder.schema';
import { aliasProblems, holderProblems } from './lerian-import.rules';
import { LerianLegacyCipher } from './lerian-legacy-cipher';
import { aliasFromLegacy, holderFromLegacy } from './lerian-record.mapper';

const keys = lerianFixtureKeys();
const cipher = new LerianLegacyCipher({
  encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
  hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
});
const ORG = '0192f1a8-0000-7000-8000-00000000f001';
const raw = lerianRawCollections();
/** As the driver reads it back: numbers as numbers, not the fixture's typed BSON values. */
const fromDriver = (document: Document) => deserialize(serialize(document));
const rawHolder = fromDriver(raw.find(({ collection }) => collection === `holders_${ORG}`)!.documents[0]);
const rawAlias = fromDriver(raw.find(({ collection }) => collection === `aliases_${ORG}`)!.documents[0]);
const config = { documentValidation: 'off', metadataPiiGuard: 'off' } as AppConfig;

const holder = (overrides: Record<string, unknown>): HolderRecord => ({
  ...holderFromLegacy(rawHolder, ORG, cipher),
  ...overrides,
});
const alias = (overrides: Record<string, unknown>): AliasAccountRecord => ({
  ...aliasFromLegacy(rawAlias, ORG, cipher),
  ...overrides,
});

describe('the API rules applied to a source record', () => {
  it('the fixture records pass (the control for the refusals below)', async () => {
    expect(await holderProblems(holder({}), config)).toEqual([]);
    expect(await aliasProblems(alias({}), config)).toEqual([]);
  });

  it.each([
    ['a "constructor" key', { constructor: 'x' }],
    ['a "constructor.prototype" object', { constructor: { prototype: { x: 1 } } }],
    ['a "__proto__" key', JSON.parse('{"__proto__":{"x":1}}') as object],
  ])('metadata with %s is refused, not thrown on', async (_name, metadata) => {
    await expect(holderProblems(holder({ metadata }), config)).resolves.toEqual([
      expect.stringMatching(/^CRM-0004 metadata: ".+" is reserved and cannot be a key\.$/),
    ]);
    await expect(aliasProblems(alias({ metadata }), config)).resolves.toEqual([
      expect.stringMatching(/^CRM-0004 metadata: /),
    ]);
  });

  // The codes the API answers for the same body: a null party is a missing one (CRM-0003).
  it.each([
    ['a string', 'not a list', 'CRM-0004 relatedParties'],
    ['an object', { document: '12345678909' }, 'CRM-0004 relatedParties'],
    ['a number', 42, 'CRM-0004 relatedParties'],
    ['a list holding null', [null], 'CRM-0003 relatedParties.0'],
    ['a list holding a string', ['x'], 'CRM-0004 relatedParties.0'],
  ])('relatedParties as %s is refused, not thrown on', async (_name, relatedParties, reason) => {
    expect(await aliasProblems(alias({ relatedParties }), config)).toEqual([reason]);
  });

  it('a decrypted value with a NUL byte is refused as the API refuses it (CRM-0004), naming the field only', async () => {
    const document = '100\u0000000\u0007000\u001b19';
    const problems = await holderProblems(holder({ document }), config);
    expect(problems).toEqual(['CRM-0004 document: Strings must not contain NUL characters.']);
    // The alias document is copied from its holder by the API: it must pass what the holder's does.
    expect(await aliasProblems(alias({ document }), config)).toEqual([
      'CRM-0004 document: Strings must not contain NUL characters.',
    ]);
    expect(await holderProblems(holder({ name: 'Ana\u0000Maria' }), config)).toEqual([
      'CRM-0004 name: Strings must not contain NUL characters.',
    ]);
  });
});
