import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

type Stream = NodeJS.WriteStream;

/**
 * The integration tests' environment: what the service writes to stdout and stderr while a test
 * file runs (Nest's console logger: `WARN … audit queue full`) is held back, and printed after the
 * file only when one of its tests or hooks failed, where it can explain the failure.
 */
export default class HeldOutputEnvironment extends TestEnvironment {
  private readonly held: Array<{ stream: Stream; chunk: string | Uint8Array }> = [];
  private failed = false;
  private release: () => void = () => undefined;
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    const streams = [process.stdout, process.stderr];
    // Each stream's own `write` (a reporter may have wrapped it), or none: restored exactly as found.
    const own = streams.map((stream) => Object.getOwnPropertyDescriptor(stream, 'write'));
    for (const stream of streams)
      stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        this.held.push({ stream, chunk });
        const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        done?.();
        return true;
      };
    this.release = () =>
      streams.forEach((stream, index) => {
        const descriptor = own[index];
        if (descriptor) Object.defineProperty(stream, 'write', descriptor);
        else delete (stream as Partial<Stream>).write;
      });
  }

  handleTestEvent(event: Circus.Event): void {
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure')
      this.failed = true;
  }

  override async teardown(): Promise<void> {
    this.release();
    if (this.failed && this.held.length > 0) {
      process.stderr.write(`\n--- service output of ${this.testPath} (a test failed) ---\n`);
      for (const { stream, chunk } of this.held) stream.write(chunk);
      process.stderr.write('--- end of service output ---\n');
    }
    await super.teardown();
  }
}
