import { DeclaredIndex, plan } from '../utils/index-planner';

const ID: DeclaredIndex = { name: '_id_', keys: { _id: 1 }, unique: true };
const ORG_ID: DeclaredIndex = { name: 'org_id', keys: { organizationId: 1, _id: 1 } };
const DOCUMENT: DeclaredIndex = {
  name: 'document',
  keys: { organizationId: 1, 'search.document': 1, deletedAt: 1 },
  unique: true,
};
const query = (filter: Record<string, unknown>, sort?: Record<string, unknown>) => ({
  collection: 'holders',
  operation: 'find',
  filter,
  sort,
});

describe('index planner model', () => {
  it('serves a blind-index search by the index that holds the token, and not without it', () => {
    const search = query(
      { organizationId: 'o', 'search.document': { $in: ['t1', 't2'] }, deletedAt: null },
      { _id: 1 },
    );
    expect(plan([ID, ORG_ID, DOCUMENT], search)).toMatchObject({
      index: { name: 'document' },
      prefix: ['organizationId', 'search.document', 'deletedAt'],
      sortInMemory: true,
    });
    expect(plan([ID, ORG_ID], search)).toBeUndefined(); // a selective field outside the prefix is a scan
  });

  it('serves a cursor page by {organizationId, _id}: the range and the order follow the equality prefix', () => {
    const cursor = query(
      { organizationId: 'o', deletedAt: null, _id: { $gt: 'x' }, 'metadata.k': { $in: ['v'] } },
      { _id: -1 },
    );
    expect(plan([ID, ORG_ID, DOCUMENT], cursor)).toMatchObject({
      index: { name: 'org_id' },
      prefix: ['organizationId', '_id'],
      sortInMemory: false,
    });
    expect(plan([ID, DOCUMENT], cursor)).toBeUndefined(); // no index orders the organization's records by _id
  });

  it('serves a pinned _id by _id_, and never a query without organizationId by an organization index', () => {
    expect(plan([ID, ORG_ID], query({ _id: 'x', organizationId: 'o' }))).toMatchObject({ index: { name: '_id_' } });
    expect(plan([ORG_ID, DOCUMENT], query({ deletedAt: null }, { _id: 1 }))).toBeUndefined();
  });

  it("serves the relay's read of records holding events by a range on the outbox index alone, and only so", () => {
    const OUTBOX: DeclaredIndex = { name: 'outbox', keys: { 'outbox.id': 1 } };
    const holding = query({ 'outbox.id': { $gt: '' } });
    expect(plan([ID, ORG_ID, OUTBOX], holding)).toMatchObject({ index: { name: 'outbox' }, prefix: ['outbox.id'] });
    expect(plan([ID, ORG_ID], holding)).toBeUndefined();
    // Another condition beside the range is not what the index holds: a scan.
    expect(plan([ID, OUTBOX], query({ 'outbox.id': { $gt: '' }, erasing: true }))).toBeUndefined();
  });
});
