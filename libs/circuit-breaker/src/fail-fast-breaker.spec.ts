import CircuitBreaker from 'opossum';
import { failFastBreaker } from './fail-fast-breaker';

/** A breaker whose action fails while `failing` is set, on a clock the test moves. */
function breakerOnClock() {
  const clock = { ms: 0 };
  const state = { failing: true, calls: 0 };
  const breaker = failFastBreaker(
    () => {
      state.calls++;
      return state.failing ? Promise.reject(new Error('dependency down')) : Promise.resolve('ok');
    },
    30_000,
    () => clock.ms,
  );
  const failedCall = () => expect(breaker.fire()).rejects.toThrow('dependency down');
  return { breaker, clock, state, failedCall };
}

describe('failFastBreaker', () => {
  const breakers: CircuitBreaker[] = [];
  afterEach(() => {
    for (const breaker of breakers.splice(0)) breaker.shutdown();
    jest.useRealTimers();
  });

  it('opens once at least 3 calls were made and more than half failed, then rejects without calling', async () => {
    const { breaker, state, failedCall } = breakerOnClock();
    breakers.push(breaker);
    await failedCall();
    await failedCall();
    expect(breaker.opened).toBe(false); // 2 calls: below the volume threshold
    await failedCall();
    expect(breaker.opened).toBe(true);
    state.failing = false;
    await expect(breaker.fire()).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    expect(state.calls).toBe(3);
  });

  it('still counts failures from earlier in the 10 s window', async () => {
    const { breaker, clock, failedCall } = breakerOnClock();
    breakers.push(breaker);
    await failedCall();
    await failedCall();
    clock.ms = 9_500;
    await failedCall();
    expect(breaker.opened).toBe(true);
  });

  it('forgets failures older than the window, with no timer having run', async () => {
    const { breaker, clock, state, failedCall } = breakerOnClock();
    breakers.push(breaker);
    await failedCall();
    await failedCall();
    clock.ms = 10_500;
    await failedCall();
    expect(breaker.opened).toBe(false); // one call in the window now
    state.failing = false;
    await expect(breaker.fire()).resolves.toBe('ok');
    expect(breaker.stats).toMatchObject({ fires: 2, failures: 1, successes: 1 });
  });

  it('sets no timer, where an opossum breaker with its defaults sets two', () => {
    jest.useFakeTimers();
    const before = jest.getTimerCount();
    breakers.push(failFastBreaker(() => Promise.resolve(1), 30_000));
    expect(jest.getTimerCount()).toBe(before);
    breakers.push(new CircuitBreaker(() => Promise.resolve(1)));
    expect(jest.getTimerCount()).toBe(before + 2);
  });
});
