import { Presets, SingleBar } from 'cli-progress';
import type { ProgressListener, ScanProgress } from '@crm/crypto';

/** How often a non-interactive run prints a progress line. */
const LINE_INTERVAL_MS = 5000;

export interface ProgressReporter {
  listener: ProgressListener;
  /** Ends the current bar (or prints the last line). */
  stop(): void;
}

/**
 * Progress of a long command on stderr (stdout stays for results, e.g. --json): a bar with count,
 * rate and ETA on a terminal, plain periodic lines otherwise (logs of a Kubernetes Job, CI).
 */
export function progressReporter(task: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? barReporter(task, stream) : lineReporter(task, stream);
}

/** Where the current collection's pass began: a resumed pass starts past zero. */
interface Start {
  at: number;
  done: number;
}

const startOf = (progress: ScanProgress): Start => ({ at: Date.now(), done: progress.done });

function rateOf(progress: ScanProgress, start: Start): number {
  return (progress.done - start.done) / Math.max((Date.now() - start.at) / 1000, 0.001);
}

function barReporter(task: string, stream: NodeJS.WriteStream): ProgressReporter {
  let bar: SingleBar | undefined;
  let collection: string | undefined;
  let start: Start = { at: Date.now(), done: 0 };
  const stop = () => bar?.stop();
  return {
    listener: (progress) => {
      if (progress.collection !== collection) {
        stop();
        collection = progress.collection;
        start = startOf(progress);
        bar = new SingleBar({ stream, format: `${task} {collection} [{bar}] {value}/{total} records | {rate}/s | ETA {eta_formatted}`, hideCursor: true }, Presets.shades_classic);
        bar.start(progress.total, progress.done, { collection, rate: 0 });
      }
      bar!.setTotal(progress.total);
      bar!.update(progress.done, { rate: Math.round(rateOf(progress, start)) });
    },
    stop,
  };
}

function lineReporter(task: string, stream: NodeJS.WriteStream): ProgressReporter {
  let last: ScanProgress | undefined;
  let printed: ScanProgress | undefined;
  let start: Start = { at: Date.now(), done: 0 };
  let printedAt = 0;
  const print = (progress: ScanProgress) => {
    if (progress === printed) return;
    const rate = rateOf(progress, start);
    const eta = rate > 0 ? Math.ceil((progress.total - progress.done) / rate) : 0;
    stream.write(`${task}: ${progress.collection} ${progress.done}/${progress.total} records (${Math.round(rate)}/s, ETA ${eta}s)\n`);
    printed = progress;
    printedAt = Date.now();
  };
  return {
    listener: (progress) => {
      if (progress.collection !== last?.collection) {
        if (last) print(last); // each collection ends with its final count
        start = startOf(progress);
      }
      last = progress;
      if (Date.now() - printedAt >= LINE_INTERVAL_MS) print(progress);
    },
    stop: () => {
      if (last) print(last);
    },
  };
}
