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

  it('compares timestamps as instants: trailing zeros of the fraction are no difference', () => {
    expect(differingPaths({ createdAt: '2026-01-02T03:04:04.68Z' }, { createdAt: '2026-01-02T03:04:04.680Z' })).toEqual(
      [],
    );
    expect(differingPaths({ createdAt: '2026-01-02T03:04:04Z' }, { createdAt: '2026-01-02T03:04:04.000Z' })).toEqual(
      [],
    );
    // The control: another instant is a difference, and so is text that only looks alike.
    expect(differingPaths({ createdAt: '2026-01-02T03:04:04.68Z' }, { createdAt: '2026-01-02T03:04:04.681Z' })).toEqual(
      ['createdAt'],
    );
    expect(differingPaths({ note: '2026-01-02' }, { note: '2026-01-02T00:00:00Z' })).toEqual(['note']);
  });
});
