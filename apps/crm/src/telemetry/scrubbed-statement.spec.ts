import { scrubbedStatement } from './scrubbed-statement';

describe('scrubbedStatement (db.query.text)', () => {
  it('replaces every value and masks metadata keys that look like personal data, in documents and filters', () => {
    const insert = {
      insert: 'holders',
      documents: [
        { _id: 'id-1', name: 'v1:abc:def', createdAt: new Date(), metadata: { 'cliente 11144477735': 'x', tier: 3 } },
      ],
    };
    expect(JSON.parse(scrubbedStatement(insert))).toEqual({
      insert: '?',
      documents: [{ _id: '?', name: '?', createdAt: '?', metadata: { '[REDACTED]': '?', tier: '?' } }],
    });

    const find = {
      find: 'holders',
      filter: {
        organizationId: 'org',
        'metadata.maria@example.com': { $in: ['1', 1] },
        'metadata.tier': { $in: ['3'] },
      },
    };
    expect(JSON.parse(scrubbedStatement(find))).toEqual({
      find: '?',
      filter: { organizationId: '?', 'metadata.[REDACTED]': { $in: ['?', '?'] }, 'metadata.tier': { $in: ['?'] } },
    });

    const update = {
      update: 'holders',
      updates: [{ q: { _id: 'id-1' }, u: { $set: { metadata: { 'fone +55 11 91234-5678': 'x' } } } }],
    };
    expect(scrubbedStatement(update)).not.toContain('91234');
  });
});
