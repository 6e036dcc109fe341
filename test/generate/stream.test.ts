import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents, type GenerateOptions, type RawMessage } from '../../src/generate';
import { generateEventStream } from '../../src/generate/stream';

const options: GenerateOptions = { users: 400, seed: 11, start: new Date('2026-03-01T00:00:00Z') };

async function collect(stream: AsyncIterable<RawMessage>): Promise<RawMessage[]> {
  const all: RawMessage[] = [];
  for await (const event of stream) all.push(event);
  return all;
}

describe('generateEventStream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-generate-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const expected = generateEvents(options);

  it('yields the in-memory events in the same order when it fits one run', async () => {
    expect(await collect(generateEventStream(options, { tempDir: dir }))).toEqual(expected);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('merges sorted runs spilled to files into the same stable order, holding at most a run in memory', async () => {
    // Prepare: runs of 100 events, so ~40 runs.
    const runSize = 100;
    const stream = generateEventStream(options, { runSize, tempDir: dir });

    // Act: take the first event, then look at what was spilled.
    const first = await stream.next();
    const [runDir] = readdirSync(dir);
    const runFiles = readdirSync(join(dir, runDir as string));
    const runLengths = runFiles.map(
      (file) =>
        readFileSync(join(dir, runDir as string, file), 'utf8')
          .trim()
          .split('\n').length,
    );
    const rest = await collect({ [Symbol.asyncIterator]: () => stream });

    // Assess: every event went through a run file of at most runSize events; the order is the sort's.
    expect(runFiles).toHaveLength(Math.ceil(expected.length / runSize));
    expect(Math.max(...runLengths)).toBeLessThanOrEqual(runSize);
    expect(runLengths.reduce((sum, length) => sum + length, 0)).toBe(expected.length);
    expect([first.value, ...rest]).toEqual(expected);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes its run files when the reader stops early', async () => {
    for await (const event of generateEventStream(options, { runSize: 500, tempDir: dir })) {
      expect(event).toEqual(expected[0]);
      break;
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('streams another traffic profile given as a function', async () => {
    const profile = function* (profileOptions: GenerateOptions): Generator<RawMessage> {
      for (let n = profileOptions.users; n > 0; n--)
        yield { type: 'page', messageId: `m${n}`, timestamp: new Date(Date.UTC(2026, 0, n)).toISOString() };
    };
    const events = await collect(
      generateEventStream({ ...options, users: 30 }, { profile, runSize: 7, tempDir: dir }),
    );
    expect(events.map((event) => event.messageId)).toEqual(Array.from({ length: 30 }, (_, n) => `m${n + 1}`));
  });
});
