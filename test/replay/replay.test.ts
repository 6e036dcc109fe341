import type { Traits } from '../../src/attribution';
import type { SegmentMessage } from '../../src/events';
import { generateEvents } from '../../src/generate';
import { resolveProfile } from '../../src/identity';
import { silentLogger } from '../../src/log';
import { createEventsClient, PersonalizeTracker } from '../../src/personalize';
import { TRACKING_CHUNK_SIZE, type EventTracker } from '../../src/pipeline';
import { formatReport, replayLines } from '../../src/replay';
import { MemoryStore, type AttributionStore } from '../../src/store';
import { openSqliteStore } from '../../src/store/sqlite';
import { fakeClientOptions, personalizeConfig, useFakePersonalize } from '../personalize/helpers';
import { testPipeline } from '../support/pipeline';

const stream = generateEvents({ users: 60, seed: 5, start: new Date('2026-03-01T00:00:00Z') });

async function* linesOf(events: readonly unknown[]): AsyncIterable<string> {
  for (const event of events) yield JSON.stringify(event);
}

function withoutNulls(traits: Traits): Traits {
  return Object.fromEntries(Object.entries(traits).filter(([, value]) => value !== null));
}

/** An EventTracker that records every messageId it was given. */
function recordingTracker(): EventTracker & { tracked: string[] } {
  const tracked: string[] = [];
  return {
    tracked,
    track: async (messages: readonly SegmentMessage[]) => {
      tracked.push(...messages.map((message) => message.messageId));
      return { rejected: [] };
    },
  };
}

describe('replayLines', () => {
  it('ends with the traits of one delivery per message, with fewer identify calls, whatever the window', async () => {
    // Prepare
    const oneByOne = testPipeline();
    for (const event of stream) await oneByOne.deliver(event);

    for (const windowSize of [50, 400, 100_000]) {
      const replayed = testPipeline();

      // Act
      const report = await replayLines(replayed.engine, linesOf(stream), { chunkSize: 25, windowSize });

      // Assess
      expect(report).toMatchObject({ received: stream.length, processed: stream.length, duplicates: 0 });
      // Each profile ends as one-by-one delivery left it (a trait cleared there, written as null, is
      // simply never written by a replay that never set it). Ids merged into another profile are skipped:
      // what they last received depends on when the merge was seen.
      const expected = oneByOne.writer.profiles();
      for (const [target, traits] of replayed.writer.profiles()) {
        if ((await resolveProfile(target, replayed.store)).target !== target) continue;
        expect(withoutNulls(traits)).toEqual(withoutNulls(expected.get(target) ?? {}));
      }
      expect(replayed.writer.delivered.length).toBeLessThan(oneByOne.writer.delivered.length);
    }
  });

  it('writes back a window smaller than a chunk when it is full, not at the end of the chunk', async () => {
    const replayed = testPipeline();
    const phases: Array<[number, string]> = [];

    await replayLines(replayed.engine, linesOf(stream.slice(0, 120)), {
      windowSize: 50,
      onProgress: (applied, phase) => phase && phases.push([applied, phase]),
    });

    expect(phases.map(([applied]) => applied)).toEqual([50, 100, 120]);
  });

  it('counts a copy later in the same window as a duplicate and tracks the message once', async () => {
    const tracker = recordingTracker();
    const pipeline = testPipeline({ tracker });
    const withCopies = [...stream, ...stream.slice(0, 30)];

    const report = await replayLines(pipeline.engine, linesOf(withCopies), {
      chunkSize: 20,
      windowSize: 100_000,
    });

    expect(report).toMatchObject({ processed: stream.length, duplicates: 30 });
    expect(new Set(tracker.tracked).size).toBe(tracker.tracked.length);
    expect(tracker.tracked).toHaveLength(stream.length);
  });

  it.each([
    ['memory', async () => new MemoryStore()],
    ['SQLite', () => openSqliteStore(':memory:')],
  ])(
    'on %s: marks no message done until its window wrote back; a re-run finishes it and tracks nothing twice',
    async (_name, openStore: () => Promise<AttributionStore>) => {
      // Prepare: Segment fails the first window's write-back
      const tracker = recordingTracker();
      const pipeline = testPipeline({ tracker, store: await openStore() });
      pipeline.writer.failNextFlushes = 1;
      const reference = testPipeline();
      await replayLines(reference.engine, linesOf(stream));

      // Act
      await expect(replayLines(pipeline.engine, linesOf(stream), { windowSize: 100_000 })).rejects.toThrow(
        'simulated Segment outage',
      );
      const first = await pipeline.store.getMessage(String(stream[0]?.messageId));
      const rerun = await replayLines(pipeline.engine, linesOf(stream), { windowSize: 100_000 });

      // Assess
      expect(first?.steps).toEqual(['personalize']);
      expect(rerun).toMatchObject({ processed: stream.length, duplicates: 0 });
      expect(tracker.tracked).toHaveLength(stream.length);
      expect(pipeline.writer.profiles()).toEqual(reference.writer.profiles());
      const again = await replayLines(pipeline.engine, linesOf(stream));
      expect(again).toMatchObject({ processed: 0, duplicates: stream.length, identifyCalls: 0 });
      await pipeline.store.close();
    },
  );

  it('reports progress at least every 5,000 messages applied, and summarises the totals', async () => {
    const pipeline = testPipeline();
    const many = generateEvents({ users: 1200, seed: 6, start: new Date('2026-03-01T00:00:00Z') });
    const seen: Array<number | string> = [];

    const report = await replayLines(pipeline.engine, linesOf(many), {
      chunkSize: 12_000,
      onProgress: (applied, phase) => seen.push(phase ?? applied),
    });

    expect(many.length).toBe(13_531); // one full chunk of 12,000 and a short one
    expect(seen).toEqual([5000, 10_000, 12_000, 13_531, expect.stringMatching(/^write-back of [\d,]+ ids$/)]);
    expect(report.received).toBe(many.length);
    expect(formatReport(report, 2)).toMatch(
      new RegExp(`received\\s+${many.length.toLocaleString('en-US')} messages in 2\\.0 s`),
    );
  });
});

describe('replayLines killed while tracking', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  const many = generateEvents({ users: 400, seed: 8, start: new Date('2026-03-01T00:00:00Z') });

  function trackedPipeline(store: AttributionStore) {
    const config = personalizeConfig();
    const client = createEventsClient(
      fakeClientOptions(personalize.endpoint, { maxAttempts: 1, requestTimeoutMs: 10_000 }),
    );
    const mapping = {
      eventTypes: config.eventTypes,
      itemIdPaths: config.itemIdPaths,
      eventProperties: config.eventProperties,
    };
    const tracker = new PersonalizeTracker({ client, trackingId: 't', mapping, log: silentLogger });
    return testPipeline({ tracker, store });
  }

  /** The messages behind the events sent (eventId is the messageId, or `<messageId>#<n>`). */
  const sentMessages = () =>
    fake.putEvents.flatMap((body) =>
      (body.eventList ?? []).map((event) => String(event.eventId).split('#')[0]),
    );

  it('re-sends the PutEvents of at most one tracking chunk when run again', async () => {
    // Prepare: how many calls a whole replay makes, then a replay whose Personalize fails part-way
    await replayLines(trackedPipeline(await openSqliteStore(':memory:')).engine, linesOf(many));
    const allCalls = fake.putEvents.length;
    const allMessages = new Set(sentMessages());
    fake.reset();
    const failAfter = Math.floor(allCalls * 0.6);
    fake.rejectPutEvents = () => {
      if (fake.putEvents.length + 1 === failAfter)
        fake.script.events.push(
          ...Array.from({ length: allCalls }, () => ({ status: 503, type: 'ServiceUnavailableException' })),
        );
      return null;
    };
    const pipeline = trackedPipeline(await openSqliteStore(':memory:'));

    // Act: the replay stops at the failure; Personalize recovers; the replay runs again
    await expect(replayLines(pipeline.engine, linesOf(many))).rejects.toThrow(/PutEvents failed transiently/);
    const beforeRerun = sentMessages();
    fake.script.events.length = 0;
    fake.rejectPutEvents = () => null;
    await replayLines(pipeline.engine, linesOf(many));

    // Assess: every event arrived; the ones sent twice belong to the chunk in flight at the failure
    const sent = sentMessages();
    const resent = new Set(sent.slice(beforeRerun.length).filter((id) => beforeRerun.includes(id)));
    expect(new Set(sent)).toEqual(allMessages);
    // failed past the first chunk: re-sending all that was sent would re-send more than one chunk
    expect(new Set(beforeRerun).size).toBeGreaterThan(TRACKING_CHUNK_SIZE);
    expect(resent.size).toBeLessThanOrEqual(TRACKING_CHUNK_SIZE);
    await pipeline.store.close();
  }, 60_000);
});
