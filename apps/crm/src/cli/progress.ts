import { Presets, SingleBar } from 'cli-progress';
import type { ProgressListener } from '@crm/crypto';

const PLAIN_LINE_INTERVAL_MS = 2000;
/** Records done before an ETA is shown: the rate of the first few says little about the rest. */
const ETA_AFTER_RECORDS = 10;

/** Seconds as an operator reads them: 45s, 3m 20s, 2h 5m. */
function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

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
          // The ETA is this class's own: cli-progress's shows a number (or its `NULL`) before any rate is known.
          format: `${label} {stage} [{bar}] {value}/{total} | {rate}/s{timeLeft}`,
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
    this.bar?.start(total, 0, { stage, rate: '0', timeLeft: '' });
  }

  advance(count: number): void {
    this.done += count;
    if (this.bar) {
      const eta = this.eta();
      this.bar.update(this.done, {
        stage: this.stage,
        rate: this.rate().toFixed(0),
        timeLeft: eta ? ` | ETA ${eta}` : '',
      });
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

  /** The time left at the rate so far; none for an empty stage or before a few records are done. */
  private eta(): string | undefined {
    const rate = this.rate();
    if (this.total === 0 || this.done < ETA_AFTER_RECORDS || rate <= 0) return undefined;
    return formatSeconds(Math.ceil(Math.max(this.total - this.done, 0) / rate));
  }

  private line(): void {
    this.lastLineAt = Date.now();
    const eta = this.eta();
    this.out.write(
      `${this.label} ${this.stage}: ${this.done}/${this.total} records (${this.rate().toFixed(0)}/s${eta ? `, ETA ${eta}` : ''})\n`,
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
