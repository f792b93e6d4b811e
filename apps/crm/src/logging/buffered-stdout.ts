import pino, { DestinationStream } from 'pino';

/** Buffered lines are written at most this long after they were logged, so a quiet pod's lines still show up promptly. */
const LOG_FLUSH_DELAY_MS = 250;
/** Lines are written in chunks of at least this many bytes (or after the delay), not one write each. */
const LOG_CHUNK_BYTES = 4096;
/** What may wait for a stdout that does not drain; beyond it lines are dropped rather than memory exhausted. */
const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** The part of pino's buffered destination (SonicBoom) that the delayed flush uses. */
export interface FlushableStream {
  write(chunk: string): boolean;
  flush(): void;
  /** Set by SonicBoom once closed (not in its typings). */
  readonly destroyed?: boolean;
  /**
   * SonicBoom's write in progress (internal, not in its typings). A flush during one is ignored, and the
   * write, once done, leaves a tail shorter than `minLength` buffered: the flush must come again after it.
   */
  readonly _writing?: boolean;
}

/**
 * A buffered stream flushed `delayMs` after the first line it buffers, rather than on a fixed interval:
 * an idle service has no timer waking it up. (SonicBoom's `periodicFlush` wakes the process on every
 * interval, logs or not, and each flush writes through a thread-pool thread; every wake-up of an idle
 * process costs CPU.)
 */
export class DelayedFlushDestination implements DestinationStream {
  private scheduled?: NodeJS.Timeout;

  constructor(
    private readonly buffer: FlushableStream,
    private readonly delayMs = LOG_FLUSH_DELAY_MS,
  ) {}

  write(line: string): void {
    this.buffer.write(line);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.scheduled ??= setTimeout(() => this.flushBuffered(), this.delayMs).unref();
  }

  // Not named `flush`: pino's logger.flush(cb) would call it and wait for a callback it never gets.
  private flushBuffered(): void {
    this.scheduled = undefined;
    if (this.buffer.destroyed) return; // after the exit handler's final flush the stream is closed
    if (this.buffer._writing) this.scheduleFlush();
    else this.buffer.flush();
  }
}

/**
 * Standard output, buffered and written asynchronously: one write per few lines instead of a synchronous
 * write per line, and a slow reader never blocks the event loop. Pino writes what is buffered when the
 * process exits, also after an uncaught error; a SIGKILL loses at most the last LOG_FLUSH_DELAY_MS of lines.
 */
export function bufferedStdout(): DestinationStream {
  const stdout = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_CHUNK_BYTES,
    maxLength: LOG_BUFFER_MAX_BYTES,
  });
  return new DelayedFlushDestination(stdout);
}
