import { eventually, waitUntil } from '../utils/eventually';

describe('eventually / waitUntil', () => {
  it('returns as soon as the condition holds, with the value read', async () => {
    let reads = 0;
    const value = await eventually(
      () => ++reads,
      (count) => count === 3,
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect([value, reads]).toEqual([3, 3]);
  });

  it('returns the last value read when time runs out, so the assertion shows what was there', async () => {
    let reads = 0;
    const value = await eventually(
      () => ++reads,
      () => false,
      { timeoutMs: 30, intervalMs: 5 },
    );
    expect(value).toBe(reads); // the last read, whatever the machine's speed
  });

  it('waitUntil answers whether the check came true in time', async () => {
    expect(await waitUntil(() => Promise.resolve(true), { timeoutMs: 50 })).toBe(true);
    expect(await waitUntil(() => false, { timeoutMs: 20, intervalMs: 5 })).toBe(false);
  });
});
