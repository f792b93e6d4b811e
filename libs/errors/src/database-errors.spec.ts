import { isDuplicateKeyError } from './database-errors';

describe('isDuplicateKeyError', () => {
  it.each([
    ['MongoDB 11000', { code: 11000 }, true],
    ['FerretDB SQLite unique error', new Error('sqlite: UNIQUE constraint failed: idx'), true],
    ['a bulk write of duplicates only', { writeErrors: [{ code: 11000 }, { code: 11000 }] }, true],
    ['a bulk write with another error', { writeErrors: [{ code: 11000 }, { code: 2 }] }, false],
    ['another driver error', { code: 2, message: 'bad value' }, false],
    ['nothing', undefined, false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isDuplicateKeyError(error)).toBe(expected);
  });
});
