import { NORMALIZERS } from './normalizers';

describe('NORMALIZERS', () => {
  it.each([
    ['identifier', 'gb82 west 1234 5698 7654 32', 'GB82WEST12345698765432'],
    ['identifier', '0001.234/5 x', '00012345X'],
    ['email', '  John.Doe@Example.COM ', 'john.doe@example.com'],
    ['phone', '+55 (11) 98765-4321', '+5511987654321'],
    ['phone', '(11) 98765-4321', '11987654321'],
  ] as const)('%s: %j -> %j', (kind, input, expected) => {
    expect(NORMALIZERS[kind](input)).toBe(expected);
  });
});
