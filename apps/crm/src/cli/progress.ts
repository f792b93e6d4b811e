import { Presets, SingleBar } from 'cli-progress';
import type { ProgressListener } from '@crm/crypto';

const PLAIN_LINE_INTERVAL_MS = 2000;

/**
 * Progress of a long run: a bar with count, rate and ETA on a terminal; on anything else (logs, CI,
 * a container) a plain line every few seconds and one at the end. Counts only: never a value.
 */
export class CliProgress {
  private readonly bar?: SingleBar;
  private done = 0;
  private startedAt = Date.now();
  private lastLineAt = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
  ) {
    if (out.isTTY)
      this.bar = new SingleBar(
        {
          stream: out,
          format: `${label} {stage} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
  }

  private total = 0;
  private stage = '';

  start(total: number, stage: string): void {
    this.total = total;
    this.stage = stage;
    this.done = 0;
    this.startedAt = Date.now();
    this.lastLineAt = 0;
    this.bar?.start(total, 0, { stage, rate: '0' });
  }

  advance(count: number): void {
    this.done += count;
    if (this.bar) {
      this.bar.update(this.done, { stage: this.stage, rate: this.rate().toFixed(0) });
      return;
    }
    if (Date.now() - this.lastLineAt >= PLAIN_LINE_INTERVAL_MS) this.line();
  }

  stop(): void {
    if (this.bar) this.bar.stop();
    else this.line();
  }

  private rate(): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  private line(): void {
    this.lastLineAt = Date.now();
    const rate = this.rate();
    const eta = rate > 0 ? `${Math.ceil((this.total - this.done) / rate)}s` : '?';
    this.out.write(
      `${this.label} ${this.stage}: ${this.done}/${this.total} records (${rate.toFixed(0)}/s, ETA ${eta})\n`,
    );
  }
}

/** Feeds a CliProgress from a key scan: one stage per collection. */
export function perCollection(progress: CliProgress): ProgressListener {
  let collection: string | undefined;
  let done = 0;
  return (scan) => {
    if (scan.collection !== collection) {
      if (collection !== undefined) progress.stop();
      collection = scan.collection;
      done = 0;
      progress.start(scan.total, scan.collection);
    }
    progress.advance(scan.done - done);
    done = scan.done;
  };
}
