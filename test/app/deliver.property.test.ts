import fc from 'fast-check';
import { createApp, deliver, type App } from '../../src/app';
import { SUPPORTED_TYPES } from '../../src/events';
import { createLogger } from '../../src/log';
import { pageEvent } from '../support/events';
import { RecordingTraitWriter } from '../support/recording-writer';

/**
 * Poison messages: whatever arrives, the handler dead-letters (or ignores) what it cannot use, processes
 * what it can, and returns within its deadline. Seeded, with a fixed number of runs, so a failure
 * reproduces: fast-check prints the counterexample and its path.
 */
const SEED = 20_261_202;
const DEADLINE_MS = 4000;

/** A value nested `depth` levels deep, built without recursion (as an attacker's 12 KB payload is). */
function nested(depth: number, shape: 'array' | 'object', leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = shape === 'array' ? [value] : { a: value };
  return value;
}

/** Text of up to 200,000 characters: a short pattern repeated (a long messageId, reason, timestamp). */
const longText = fc
  .tuple(fc.string({ maxLength: 8, unit: 'binary' }), fc.integer({ min: 1, max: 25_000 }))
  .map(([pattern, times]) => pattern.repeat(times));

/** Dates at and past the edges of what JavaScript and ISO-8601 can hold. */
const edgeTime = fc.oneof(
  fc.constantFrom(
    8.64e15,
    -8.64e15,
    8.64e15 + 1,
    1e308,
    -0,
    0,
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '10000-01-01T00:00:00.000Z',
    '+010000-01-01T00:00:00.000Z',
    '0100-01-01T00:00:00.000Z',
    '1970-01-01T00:00:00.000Z',
    '2026-02-30T00:00:00.000Z',
    '',
    ' ',
  ),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms).toISOString()),
  fc.double(),
  fc.string(),
);

const deep = fc
  .tuple(
    fc.integer({ min: 1, max: 8000 }),
    fc.constantFrom('array' as const, 'object' as const),
    fc.jsonValue(),
  )
  .map(([depth, shape, leaf]) => nested(depth, shape, leaf));

/** The same as JSON text, built as text (JSON.stringify itself overflows the stack on it). */
const deepText = fc
  .tuple(fc.integer({ min: 1, max: 8000 }), fc.boolean())
  .map(([depth, asArray]) =>
    asArray ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** JSON text of a generated value; a value too deep for JSON.stringify becomes deep JSON text. */
function text(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return `${'['.repeat(7000)}${']'.repeat(7000)}`;
  }
}

const anything = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 6 }) },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: edgeTime },
);

/** Objects shaped like Segment messages, every field of any value. */
const messageLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...SUPPORTED_TYPES), anything),
    messageId: fc.oneof(fc.uuid(), fc.integer(), longText, anything),
    anonymousId: fc.oneof(fc.uuid(), anything),
    userId: anything,
    previousId: anything,
    event: anything,
    timestamp: edgeTime,
    originalTimestamp: edgeTime,
    receivedAt: edgeTime,
    sentAt: edgeTime,
    context: fc.oneof(anything, fc.record({ page: fc.record({ url: anything, referrer: anything }) })),
    properties: anything,
    traits: anything,
    writeKey: fc.string(),
  },
  { requiredKeys: ['type', 'messageId'] },
);

/** Any input a door may hand the engine: a message-like object, any JSON value, any of them as text. */
const input = fc.oneof(
  messageLike,
  anything,
  fc.array(fc.oneof(messageLike, anything), { maxLength: 5 }),
  messageLike.map(text),
  deepText,
  messageLike.map((message) => JSON.stringify(text(message))),
);

describe.each([
  ['memory', 'memory', 300],
  ['SQLite', 'sqlite::memory:', 150],
])('deliver on the %s store, for any input', (_name, store, numRuns) => {
  let app: App;
  let writer: RecordingTraitWriter;
  const logLines: string[] = [];

  beforeAll(async () => {
    writer = new RecordingTraitWriter();
    app = await createApp(
      { TOUCHPOINT_STORE: store, TOUCHPOINT_DEADLINE_MS: String(DEADLINE_MS) },
      { writer, log: createLogger('debug', (line) => logLines.push(line)) },
    );
  });
  afterAll(() => app.close());

  it(`never throws or fails, and returns within the deadline (${numRuns} runs, seed ${SEED})`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(input, async (raw) => {
        runs++;
        const started = Date.now();
        const outcome = await deliver(app, raw);
        expect(outcome.kind).toBe('done');
        expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
      }),
      { seed: SEED, numRuns },
    );
    expect(runs).toBe(numRuns);
    // every kept dead letter can be read back and serialised
    const letters = await app.pipeline.store.listDeadLetters(100_000);
    expect(letters.length).toBeGreaterThan(0);
    for (const letter of letters) expect(JSON.stringify(letter).length).toBeLessThan(200_000);
  });

  it(`processes every good message of a batch mixed with bad ones (${numRuns} runs, seed ${SEED})`, async () => {
    let batch = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(messageLike, anything), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (junk, goodCount) => {
          batch++;
          const good = Array.from({ length: goodCount }, (_, i) =>
            pageEvent({
              anonymousId: `good-${store}-${batch}-${i}`,
              messageId: `good-${store}-${batch}-${i}`,
              at: '2026-03-01T10:00:00.000Z',
              url: 'https://shop.example.com/?utm_source=news&utm_medium=email',
            }),
          );
          const mixed = junk
            .flatMap((bad, i) => (good[i] ? [bad, good[i]] : [bad]))
            .concat(good.slice(junk.length));
          const outcome = await deliver(app, mixed);
          expect(outcome.kind).toBe('done');
          for (const message of good) {
            const owner = `anon:${String(message.anonymousId)}` as const;
            expect(await app.pipeline.store.newestActivity([owner])).toBe('2026-03-01T10:00:00.000Z');
            expect(writer.profiles().get(`anon:${String(message.anonymousId)}`)).toMatchObject({
              first_touch_source: 'news',
            });
          }
        },
      ),
      { seed: SEED, numRuns },
    );
  });
});
