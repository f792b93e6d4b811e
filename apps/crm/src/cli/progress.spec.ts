import { CliProgress } from './progress';

/** A stream that is not a terminal (a log file, CI, a container's stdout). */
function plainStream() {
  const lines: string[] = [];
  return {
    lines,
    stream: { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream,
  };
}

describe('CliProgress without a terminal', () => {
  it('prints a plain line with count and rate (ETA once a few records are done) at the first advance and at the end, not at every record', () => {
    const { lines, stream } = plainStream();
    const progress = new CliProgress(stream, 'import lerian');
    progress.start(1000, 'organization x');
    for (let i = 0; i < 100; i += 1) progress.advance(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^import lerian organization x: 1\/1000 records \(\d+\/s\)\n$/);
    progress.stop();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/: 100\/1000 records/);
  });
});

/** A terminal: cli-progress draws the bar with cursor moves; what it draws is read without them. */
function terminalStream() {
  let text = '';
  return {
    // Each redraw starts at the line's beginning: the screen shows the last one.
    renders: () =>
      text
        .replace(/\x1B\[\??[0-9;]*[A-Za-z]|\x1B[78]/g, '\r') // eslint-disable-line no-control-regex
        .split(/[\r\n]+/)
        .filter((line) => line.trim() !== ''),
    stream: {
      isTTY: true,
      columns: 200,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    } as unknown as NodeJS.WriteStream,
  };
}

describe('CliProgress on a terminal', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('shows no ETA for an empty stage (0/0)', () => {
    const { renders, stream } = terminalStream();
    const progress = new CliProgress(stream, 'keys rotate');
    progress.start(0, 'holders');
    progress.stop();
    expect(renders().length).toBeGreaterThan(0);
    for (const line of renders()) {
      expect(line).toContain('0/0');
      expect(line).not.toContain('ETA');
    }
  });

  it('shows no ETA before a few records are done, then one from the rate so far', () => {
    const { renders, stream } = terminalStream();
    const progress = new CliProgress(stream, 'keys rotate');
    progress.start(1000, 'holders');
    expect(renders().at(-1)).toContain('0/1000');
    expect(renders().at(-1)).not.toContain('ETA');
    jest.advanceTimersByTime(1000);
    progress.advance(100);
    progress.stop();
    // 900 left at 100 records a second.
    expect(renders().at(-1)).toMatch(/holders \[.*\] 100\/1000 \| 100\/s \| ETA 9s$/);
    expect(renders().join('\n')).not.toMatch(/ETA (NULL|INF|.*LL)/);
  });
});

describe('CliProgress without a terminal: the ETA', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('is left out for an empty stage and given from the rate once a few records are done', () => {
    const { lines, stream } = plainStream();
    const progress = new CliProgress(stream, 'keys rotate');
    progress.start(0, 'holders');
    progress.stop();
    expect(lines).toEqual(['keys rotate holders: 0/0 records (0/s)\n']);
    progress.start(1000, 'aliases');
    jest.advanceTimersByTime(1000);
    progress.advance(100);
    expect(lines[1]).toBe('keys rotate aliases: 100/1000 records (100/s, ETA 9s)\n');
  });
});
