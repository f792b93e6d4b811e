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
  it('prints a plain line with count, rate and ETA at the first advance and at the end, not at every record', () => {
    const { lines, stream } = plainStream();
    const progress = new CliProgress(stream, 'import lerian');
    progress.start(1000, 'organization x');
    for (let i = 0; i < 100; i += 1) progress.advance(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^import lerian organization x: 1\/1000 records \(\d+\/s, ETA (\d+s|\?)\)\n$/);
    progress.stop();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/: 100\/1000 records/);
  });
});
