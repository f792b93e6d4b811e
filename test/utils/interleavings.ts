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

  /** Wraps every method of `store` so that each call of process `process` is one step. */
  gate<T extends object>(store: T, process: number, crashBefore: number | undefined, taken: { steps: number }): T {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const step = taken.steps++;
          await this.turn(process, step === crashBefore);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
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

/** A schedule: which process goes next at each turn, and before which step each process is killed (if any). */
export const schedules = (processes: number) =>
  fc.record({
    choices: fc.array(fc.nat({ max: processes - 1 }), { minLength: 1, maxLength: 60 }),
    crashes: fc.array(fc.option(fc.nat({ max: 6 }), { nil: undefined, freq: 3 }), {
      minLength: processes,
      maxLength: processes,
    }),
  });
