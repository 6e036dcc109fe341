import { createProgress } from '../../src/cli/progress';

function terminal() {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, write: (text: string) => writes.push(text) } };
}

describe('createProgress', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('prints nothing when the stream is not a terminal', () => {
    const writes: string[] = [];
    const progress = createProgress({ write: (text: string) => writes.push(text) }, 'replay');

    progress.update(10, 0.5);
    progress.finish();

    expect(writes).toEqual([]);
  });

  it('draws a bar with the count, and redraws at most every 100 ms', () => {
    const { writes, stream } = terminal();
    const progress = createProgress(stream, 'replay');

    jest.setSystemTime(1_001_000);
    progress.update(5000, 0.25);
    jest.setSystemTime(1_001_050);
    progress.update(6000, 0.3); // 50 ms later: skipped
    jest.setSystemTime(1_002_000);
    progress.update(10_000, 0.5);
    progress.finish();

    expect(writes).toEqual([
      '\rreplay [########......................]  25% 5,000 events, 5,000/s eta 3s   ',
      '\rreplay [###############...............]  50% 10,000 events, 5,000/s eta 2s   ',
      '\n',
    ]);
  });

  it('always draws a new phase, without an ETA', () => {
    const { writes, stream } = terminal();
    const progress = createProgress(stream, 'replay');

    jest.setSystemTime(1_001_000);
    progress.update(5000, 0.5);
    progress.update(5000, 1, 'write-back of 120 ids'); // same instant, new phase

    expect(writes).toHaveLength(2);
    expect(writes[0]).toContain(' eta ');
    expect(writes[1]).toContain('5,000 events');
    expect(writes[1]).toContain(', write-back of 120 ids');
    expect(writes[1]).not.toContain(' eta ');
  });
});
