import { DelayedFlushDestination, FlushableStream } from './buffered-stdout';

class RecordingStream implements FlushableStream {
  readonly lines: string[] = [];
  flushes = 0;
  destroyed = false;
  _writing = false;
  write(chunk: string): boolean {
    this.lines.push(chunk);
    return true;
  }
  flush(): void {
    this.flushes += 1;
  }
}

describe('DelayedFlushDestination', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('flushes once, the delay after the first buffered line', () => {
    const stream = new RecordingStream();
    const destination = new DelayedFlushDestination(stream, 250);
    destination.write('a\n');
    jest.advanceTimersByTime(100);
    destination.write('b\n');
    expect(stream.flushes).toBe(0);
    jest.advanceTimersByTime(150);
    expect(stream.lines).toEqual(['a\n', 'b\n']);
    expect(stream.flushes).toBe(1);
  });

  it('keeps no timer while nothing is logged: an idle service is not woken up', () => {
    const stream = new RecordingStream();
    const destination = new DelayedFlushDestination(stream, 250);
    expect(jest.getTimerCount()).toBe(0);
    destination.write('a\n');
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(250);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(stream.flushes).toBe(1);
    destination.write('b\n'); // the next line schedules the next flush
    jest.advanceTimersByTime(250);
    expect(stream.flushes).toBe(2);
  });

  it('flushes again after a write that was in progress when the delay ran out (it would ignore the flush)', () => {
    const stream = new RecordingStream();
    const destination = new DelayedFlushDestination(stream, 250);
    destination.write('a\n');
    stream._writing = true; // a big chunk is being written
    jest.advanceTimersByTime(250);
    expect(stream.flushes).toBe(0); // not asked while it writes…
    stream._writing = false;
    jest.advanceTimersByTime(250);
    expect(stream.flushes).toBe(1); // …but once it is done, without another line
    jest.advanceTimersByTime(10_000);
    expect(stream.flushes).toBe(1);
  });

  it('does not flush a stream the exit handler already closed', () => {
    const stream = new RecordingStream();
    const destination = new DelayedFlushDestination(stream, 250);
    destination.write('a\n');
    stream.destroyed = true;
    jest.advanceTimersByTime(250);
    expect(stream.flushes).toBe(0);
  });
});
