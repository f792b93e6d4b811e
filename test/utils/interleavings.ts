import fc from 'fast-check';

/**
 * Runs concurrent processes step by step, one step at a time, in an order that fast-check chooses (and
 * shrinks): a step is one call a process makes to a store, and every store call is atomic. Between two
 * steps the explorer checks an invariant. A process may be killed before any of its steps: it then
 * never takes another one, as a process that died or paused forever.
 */
export class StepExplorer {
  private readonly waiting = new Map<number, () => void>();
  private running = 0;
  private idle?: () => void;

  /**
   * Wraps the `operations` of `store` so that each call of process `process` is one step, the store's own
   * calls to its operations included (a method that is two database operations is two steps). The
   * process is killed before step `faults.crashBefore`; at step `faults.failAt` the call is carried out
   * but answers an error, as a write of unknown outcome does.
   */
  gate<T extends object>(
    store: T,
    operations: ReadonlySet<string>,
    process: number,
    faults: Faults,
    taken: { steps: number },
  ): T {
    const gated: T = new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (typeof property !== 'string' || !operations.has(property)) return value;
        return async (...args: unknown[]) => {
          const step = taken.steps++;
          await this.turn(process, step === faults.crashBefore);
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(gated, args);
          if (step === faults.failAt) throw new Error('injected: the write happened, its answer was lost');
          return result;
        };
      },
    });
    return gated;
  }

  /**
   * Starts the processes and runs them to their end (or death): `choices` pick the next process among
   * those waiting for a step; after every step, `check` must hold.
   */
  async run(processes: Array<() => Promise<unknown>>, choices: number[], check: () => Promise<void>): Promise<void> {
    const ended = processes.map((start) => {
      this.running++;
      return start()
        .catch(() => undefined)
        .finally(() => this.stopped());
    });
    for (let turn = 0; ; turn++) {
      await this.settled();
      await check();
      if (this.waiting.size === 0) break;
      const ready = [...this.waiting.keys()].sort((a, b) => a - b);
      const chosen = ready[(choices[turn % Math.max(choices.length, 1)] ?? 0) % ready.length];
      const release = this.waiting.get(chosen)!;
      this.waiting.delete(chosen);
      this.running++;
      release();
    }
    void ended; // killed processes never end; the others have
  }

  private turn(process: number, killed: boolean): Promise<void> {
    this.stopped();
    // A killed process waits forever: it takes no step and is never chosen again.
    if (killed) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve) => this.waiting.set(process, resolve));
  }

  private stopped(): void {
    this.running--;
    if (this.running === 0) this.idle?.();
  }

  /** Resolves once no process runs: each waits for its next step, ended, or was killed. */
  private settled(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.idle = () => {
        this.idle = undefined;
        resolve();
      };
    });
  }
}

/** Where a process is killed, or sees a call fail after it happened (undefined: nowhere). */
export interface Faults {
  crashBefore?: number;
  failAt?: number;
}

const STEPS = 16; // more than any process here takes

/** A value once in `rarity` cases, undefined otherwise: most processes run without that fault. */
const sometimes = (value: fc.Arbitrary<number>, rarity: number) =>
  fc.oneof({ weight: rarity - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

/** A schedule: which process goes next at each turn, and the faults of each process. */
export const schedules = (processes: number) =>
  fc.record({
    choices: fc.array(fc.nat({ max: processes - 1 }), { minLength: 1, maxLength: 80 }),
    faults: fc.array(
      fc.record({ crashBefore: sometimes(fc.nat({ max: STEPS }), 4), failAt: sometimes(fc.nat({ max: STEPS }), 4) }),
      { minLength: processes, maxLength: processes },
    ),
  });
