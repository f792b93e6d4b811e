import { randomKey } from '../../../../../test/factories/keys';
import { legacyEncrypt, lerianFixtureKeys, lerianRawCollections } from '../../../../../test/utils/lerian-fixture';
import { KeyEvidence } from './lerian-key-check';
import { LerianLegacyCipher } from './lerian-legacy-cipher';

const keys = lerianFixtureKeys();
const cipher = new LerianLegacyCipher({
  encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY,
  hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY,
});
const ORG = '0192f1a8-0000-7000-8000-00000000f001';
const holders = lerianRawCollections().find(({ collection }) => collection === `holders_${ORG}`)!.documents;
const tampered = { ...holders[0], document: legacyEncrypt(randomKey(), 'a value under another key') };

function weigh(documents: Array<Record<string, unknown>>, using = cipher): KeyEvidence {
  const evidence = new KeyEvidence();
  for (const document of documents) evidence.add(document, 'holders', ORG, using);
  return evidence;
}

describe('KeyEvidence: a wrong legacy key told apart from bad records', () => {
  it('the right keys pass, and so do they with a minority of bad records', () => {
    expect(weigh(holders).problem()).toBeUndefined();
    expect(weigh([tampered, tampered, ...holders.slice(0, 3)]).problem()).toBeUndefined();
  });

  it('a wrong encryption key opens none: refused, naming the count and the first record only', () => {
    const wrong = new LerianLegacyCipher({ encryptKey: randomKey(), hashKey: keys.LERIAN_LCRYPTO_HASH_SECRET_KEY });
    const problem = weigh(holders, wrong).problem();
    expect(problem).toMatch(
      new RegExp(
        `^the legacy encryption key \\(LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY\\) does not open the source data: ` +
          `${holders.length} of ${holders.length} sampled documents do not decrypt \\(first: holders \\S+ of organization ${ORG}\\)\\. Nothing was written\\.$`,
      ),
    );
  });

  it('a majority of records that do not open is taken for a wrong key; a tie is not', () => {
    expect(weigh([tampered, tampered, holders[0]]).problem()).toMatch(/2 of 3 sampled documents do not decrypt/);
    expect(weigh([tampered, holders[0]]).problem()).toBeUndefined();
  });

  it('a value that is not a ciphertext, or a document without a token, says nothing about the keys', () => {
    const notCiphertext = { ...holders[0], document: 'not a ciphertext' };
    expect(weigh([notCiphertext, notCiphertext, notCiphertext]).problem()).toBeUndefined();
    expect(weigh([{ ...holders[0], search: 'x' }]).problem()).toBeUndefined();
  });

  it('a wrong hash key gives other tokens for most documents; a few stale tokens do not', () => {
    const wrong = new LerianLegacyCipher({ encryptKey: keys.LERIAN_LCRYPTO_ENCRYPT_SECRET_KEY, hashKey: 'not it' });
    expect(weigh(holders, wrong).problem()).toMatch(
      /^the legacy hash key \(LERIAN_LCRYPTO_HASH_SECRET_KEY\) does not match the source's search tokens: \d+ of \d+ sampled documents give other tokens/,
    );
    const stale = { ...holders[0], search: { document: 'ab'.repeat(32) } };
    expect(weigh([stale, ...holders.slice(0, 2)]).problem()).toBeUndefined();
  });
});
