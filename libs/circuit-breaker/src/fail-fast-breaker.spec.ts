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

  it('opens only above half: 2 failures of 4 calls keep it closed, a third of 5 opens it', async () => {
    const { breaker, state, failedCall } = breakerOnClock();
    breakers.push(breaker);
    state.failing = false;
    await breaker.fire();
    await breaker.fire();
    state.failing = true;
    await failedCall();
    await failedCall();
    expect(breaker.opened).toBe(false);
    await failedCall();
    expect(breaker.opened).toBe(true);
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

  it('moves by whole buckets from its start, however late the calls that move it come', async () => {
    const { breaker, clock, state, failedCall } = breakerOnClock();
    breakers.push(breaker);
    await failedCall(); // bucket 0–999 ms
    clock.ms = 900;
    await failedCall(); // bucket 0–999 ms
    clock.ms = 1_800;
    state.failing = false;
    await breaker.fire(); // bucket 1000–1999 ms
    state.failing = true;
    clock.ms = 10_100; // the window now spans 1000–10999 ms
    await failedCall();
    expect(breaker.stats).toMatchObject({ fires: 2, failures: 1, successes: 1 });
    expect(breaker.opened).toBe(false);
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
