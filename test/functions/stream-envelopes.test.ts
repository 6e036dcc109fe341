import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { generateEvents } from '../../src/generate';
import { pageEvent } from '../support/events';
import {
  eventBridgeEvent,
  kinesisEvent,
  kinesisRecord,
  lambdaContext,
  sequenceNumber,
  sqsEvent,
} from '../support/lambda-events';
import { FakeSegmentApi } from '../support/segment-server';

type Handler = (
  event: unknown,
  context: ReturnType<typeof lambdaContext>,
) => Promise<Record<string, unknown>>;
type Traits = Record<string, unknown>;

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/lambda/segment-destination.js');
const SITE = 'https://shop.example.com';

/**
 * A fresh copy of the built bundle over a memory store of its own, as a new Lambda container would load
 * it (the bundle builds its app from the environment on the first event). It logs at `logLevel`.
 */
function loadBundle(host: string, logLevel = process.env.DEBUG_BUNDLE ? 'debug' : 'silent'): Handler {
  Object.assign(process.env, {
    TOUCHPOINT_STORE: 'memory',
    SEGMENT_WRITE_KEY: 'test-write-key',
    SEGMENT_HOST: host,
    TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
    TOUCHPOINT_LOG_LEVEL: logLevel,
  });
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(BUNDLE) as { handler: Handler }).handler;
  });
  return handler as Handler;
}

/** The attribution traits each profile ends with: its identify calls merged in order (recommendations aside: the local fallback learns in arrival order). */
function finalTraits(api: FakeSegmentApi): Map<string, Traits> {
  const profiles = new Map<string, Traits>();
  for (const call of api.messages()) {
    const target = String(call.userId ?? `anon:${String(call.anonymousId)}`);
    const traits = { ...(profiles.get(target) ?? {}), ...(call.traits as Traits) };
    profiles.set(target, traits);
  }
  for (const traits of profiles.values())
    for (const [key, value] of Object.entries(traits))
      // A trait set and later cleared (null) reads the same as one never set.
      if (key.startsWith('recommend') || value === null) delete traits[key];
  return profiles;
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

describe('stream envelopes through the built bundle (Kinesis, SQS, EventBridge)', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  });

  afterAll(() => {
    process.env = saved;
  });

  /** Runs `work` with a bundle over a new store and a new local Segment API. */
  async function withBundle<T>(work: (handler: Handler, api: FakeSegmentApi) => Promise<T>): Promise<T> {
    const api = new FakeSegmentApi();
    const host = await api.start();
    try {
      return await work(loadBundle(host), api);
    } finally {
      await api.stop();
    }
  }

  /**
   * Runs `work` with a bundle logging warnings, and returns the reasons of the messages it dead-lettered,
   * as its `message_dead_lettered` lines on stderr (what CloudWatch shows) give them.
   */
  async function deadLetterReasons(work: (handler: Handler, api: FakeSegmentApi) => Promise<void>) {
    const api = new FakeSegmentApi();
    const host = await api.start();
    const lines: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      lines.push(...String(text).split('\n').filter(Boolean));
      return true;
    });
    try {
      await work(loadBundle(host, 'warn'), api);
    } finally {
      stderr.mockRestore();
      await api.stop();
    }
    return lines
      .map((line) => JSON.parse(line) as { event?: string; reason?: string })
      .filter((entry) => entry.event === 'message_dead_lettered')
      .map((entry) => entry.reason)
      .sort();
  }

  const stream = generateEvents({ users: 40, seed: 11, start: new Date('2026-03-01T00:00:00Z') });
  const messageIds = new Set(stream.map((message) => String(message.messageId)));

  it('ends every profile with the same traits from Kinesis batches, SQS batches and EventBridge as from raw delivery', async () => {
    const raw = await withBundle(async (handler, api) => {
      for (const message of stream) await handler(message, lambdaContext());
      return finalTraits(api);
    });
    const kinesis = await withBundle(async (handler, api) => {
      let n = 1;
      for (const batch of chunks(stream, 100)) {
        expect(await handler(kinesisEvent(batch, n), lambdaContext())).toEqual({ batchItemFailures: [] });
        n += batch.length;
      }
      return { traits: finalTraits(api), calls: api.messages().length };
    });
    const sqs = await withBundle(async (handler, api) => {
      for (const [index, batch] of chunks(stream, 10).entries())
        expect(await handler(sqsEvent(batch, index * 10), lambdaContext())).toEqual({
          batchItemFailures: [],
        });
      return finalTraits(api);
    });
    const bridged = await withBundle(async (handler, api) => {
      for (const message of stream) await handler(eventBridgeEvent(message), lambdaContext());
      return finalTraits(api);
    });

    // Where each profile ends: its userId, or the anonymousId of a visitor never identified. (An
    // anonymousId later identified got calls before that in raw delivery that a batch may fold away.)
    const identified = new Set(stream.filter((m) => m.userId).map((m) => `anon:${String(m.anonymousId)}`));
    const finals = (profiles: Map<string, Traits>) =>
      new Map([...profiles].filter(([target]) => !identified.has(target)));
    expect([...finals(raw).keys()].filter((key) => !key.startsWith('anon:')).length).toBeGreaterThan(5);
    expect(finals(kinesis.traits)).toEqual(finals(raw));
    expect(finals(sqs)).toEqual(finals(raw));
    expect(bridged).toEqual(raw);
    // Batches write each profile back once per batch, not once per event.
    expect(kinesis.calls).toBeLessThan(stream.length / 3);
  });

  it('dead-letters a poison record with a reason naming it and does not report it', async () => {
    const reasons = await deadLetterReasons(async (handler, api) => {
      const good = pageEvent({
        anonymousId: 'anon-p',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/?utm_source=x&utm_medium=email`,
      });
      const event = {
        Records: [
          kinesisRecord('{not json', 1),
          kinesisRecord({ messageId: 'no-type', anonymousId: 'a' }, 2),
          kinesisRecord(good, 3),
        ],
      };

      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(api.messages()).toHaveLength(1);
    });

    expect(reasons).toEqual([
      `Kinesis record ${sequenceNumber(1)}: not JSON`,
      `Kinesis record ${sequenceNumber(2)}: missing "type"`,
    ]);
  });

  it('dead-letters an envelope it does not consume, naming it', async () => {
    const reasons = await deadLetterReasons(async (handler) => {
      const s3 = {
        Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }],
      };

      expect(await handler(s3, lambdaContext())).toMatchObject({ deadLettered: 1 });
    });

    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('"aws:s3"');
  });

  it('during a Segment outage reports exactly the records to retry, and the retry completes with no duplicates', async () => {
    await withBundle(async (handler, api) => {
      const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
      const page = (anonymousId: string, minute: number, source: string) =>
        pageEvent({ anonymousId, at: at(minute), url: `${SITE}/?utm_source=${source}&utm_medium=email` });
      const done = page('anon-done', 0, 'first');
      expect(await handler(sqsEvent([done], 0), lambdaContext())).toEqual({ batchItemFailures: [] });
      const before = api.messages().length;

      // SQS (standard queue): each record stands alone.
      const bodies = [
        done,
        '{poison',
        page('anon-x', 1, 'a'),
        { type: 'screen-ish' },
        page('anon-y', 2, 'b'),
      ];
      api.failures = 1_000; // Segment answers 500 to every request
      const outage = await handler(sqsEvent(bodies, 10), lambdaContext());

      const sqsIds = sqsEvent(bodies, 10).Records.map((record) => record.messageId);
      expect(outage).toEqual({
        batchItemFailures: [{ itemIdentifier: sqsIds[2] }, { itemIdentifier: sqsIds[4] }],
      });

      // Kinesis: the first failed record and every later one of the shard, not the earlier ones.
      const records = [done, '{poison', page('anon-z', 3, 'c'), done, page('anon-w', 4, 'd')];
      const kinesisOutage = await handler(kinesisEvent(records, 100), lambdaContext());
      expect(kinesisOutage).toEqual({
        batchItemFailures: [102, 103, 104].map((n) => ({ itemIdentifier: sequenceNumber(n) })),
      });

      api.failures = 0;
      expect(await handler(sqsEvent([bodies[2], bodies[4]], 12), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
      expect(await handler(kinesisEvent(records.slice(2), 102), lambdaContext())).toEqual({
        batchItemFailures: [],
      });
      // A second redelivery of the same records changes nothing and sends nothing.
      expect(await handler(kinesisEvent(records.slice(2), 102), lambdaContext())).toEqual({
        batchItemFailures: [],
      });

      const sent = api.messages().slice(before);
      expect(sent.map((call) => call.anonymousId).sort()).toEqual(['anon-w', 'anon-x', 'anon-y', 'anon-z']);
      expect(new Set(sent.map((call) => call.messageId)).size).toBe(sent.length);
    });
  });

  it('keeps the message ids of a generated stream unique (a precondition of the comparison)', () => {
    expect(messageIds.size).toBe(stream.length);
  });
});
