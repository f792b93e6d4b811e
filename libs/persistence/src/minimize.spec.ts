import { dropEmptyObjects } from './minimize';

describe('dropEmptyObjects', () => {
  it('drops empty objects at any depth, and objects left empty by that', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    const record = {
      name: 'kept',
      metadata: {},
      contact: { email: '' },
      addresses: { primary: {}, alternative: { nested: {} } },
      parties: [{}],
      openedAt: when,
      zero: 0,
      none: null,
    };
    expect(dropEmptyObjects(record)).toEqual({
      name: 'kept',
      contact: { email: '' },
      parties: [{}],
      openedAt: when,
      zero: 0,
      none: null,
    });
  });

  it('leaves a record without empty objects as it was', () => {
    const record = { a: { b: 1 }, c: [1], d: 'x' };
    expect(dropEmptyObjects(structuredClone(record))).toEqual(record);
  });
});
