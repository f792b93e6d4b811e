import { differingPaths } from './lerian-importer';

describe('differingPaths (the --verify report)', () => {
  it('names the paths that differ, never a value', () => {
    const paths = differingPaths(
      { name: 'Ana', contact: { primaryEmail: 'a@x.io' } },
      { name: 'Ana', contact: { primaryEmail: 'b@x.io' } },
    );
    expect(paths).toEqual(['contact.primaryEmail']);
    expect(paths.join()).not.toContain('x.io');
  });

  it('masks a metadata key that looks like personal data, and keeps a plain one', () => {
    expect(
      differingPaths({ metadata: { '52998224725': 1, tier: 1 } }, { metadata: { '52998224725': 2, tier: 2 } }),
    ).toEqual(['metadata.[REDACTED]', 'metadata.tier']);
  });
});
