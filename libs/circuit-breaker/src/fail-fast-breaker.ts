import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import CircuitBreaker from 'opossum';

/** The rolling window failures are judged over, in buckets (opossum's defaults). */
const WINDOW_MS = 10_000;
const BUCKETS = 10;
const BUCKET_MS = WINDOW_MS / BUCKETS;

/**
 * Advances a breaker's rolling window by the buckets elapsed since it last moved, when asked (opossum
 * rotates its buckets on every 'rotate' event of the controller it is given instead of on its timer).
 */
class ElapsedBucketClock {
  readonly rotations = new EventEmitter();
  private windowStart: number;

  constructor(private readonly now: () => number) {
    this.windowStart = now();
  }

  catchUp(): void {
    const elapsed = Math.floor((this.now() - this.windowStart) / BUCKET_MS);
    if (elapsed <= 0) return;
    for (let i = 0; i < Math.min(elapsed, BUCKETS); i++) this.rotations.emit('rotate');
    this.windowStart += elapsed * BUCKET_MS;
  }
}

/**
 * The breaker's events that open a call (`fire`) or count its outcome: the window moves first. (A
 * rejection while open, or by the semaphore, follows its call's `fire` in the same tick.)
 */
const COUNTED_EVENTS = ['fire', 'success', 'failure'] as const;

/**
 * A circuit breaker for calls to a dependency (opossum): once at least 3 calls were made within its
 * 10 s window (ten 1 s buckets; calls it rejected count too) and more than half of them failed, it opens
 * and rejects calls at once for `resetMs`, then lets one call probe. The caller bounds each call (no
 * opossum timeout).
 *
 * Its rolling window moves when a call starts or ends rather than on opossum's timers, which would wake
 * an idle process every second per breaker. Nothing reads its snapshots or latency percentiles, so
 * neither is kept.
 */
export function failFastBreaker<Args extends unknown[], Result>(
  action: (...args: Args) => Promise<Result>,
  resetMs: number,
  now: () => number = () => performance.now(),
): CircuitBreaker<Args, Result> {
  const clock = new ElapsedBucketClock(now);
  const breaker = new CircuitBreaker(action, {
    timeout: false,
    resetTimeout: resetMs,
    volumeThreshold: 3,
    errorThresholdPercentage: 50,
    rollingCountTimeout: WINDOW_MS,
    rollingCountBuckets: BUCKETS,
    enableSnapshots: false,
    rollingPercentilesEnabled: false,
    rotateBucketController: clock.rotations,
  });
  // Prepended: the window moves before opossum's own listener counts the event in its current bucket.
  for (const event of COUNTED_EVENTS) breaker.prependListener(event, () => clock.catchUp());
  return breaker;
}
