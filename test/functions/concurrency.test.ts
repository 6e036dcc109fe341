import { createHandler } from '../../functions/segment-destination';
import type { Traits } from '../../src/attribution';
import { createApp } from '../../src/app';
import type { IdentityKey } from '../../src/identity';
import { silentLogger } from '../../src/log';
import { MemoryStore, type AttributionStore } from '../../src/store';
import { openDynamoDbStore } from '../../src/store/dynamodb';
import { openSqliteStore } from '../../src/store/sqlite';
import type { IdentifyCall, TraitWriter } from '../../src/writeback';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { identifyEvent, pageEvent, shuffled, trackEvent, type Message } from '../support/events';

const SITE = 'https://shop.example.com';
const USER: IdentityKey = 'user:u-concurrent';
const INVOCATIONS = 50;
const lambdaContext = { getRemainingTimeInMillis: () => 5000 };
const env = {
  TOUCHPOINT_STORE: 'memory',
  TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
  TOUCHPOINT_LOG_LEVEL: 'silent',
};

/**
 * Every identify call any container delivered, in delivery order, and Segment's view of them: a call
 * whose messageId Segment already has is dropped (deduplicated), the others merge in arrival order.
 */
class DeliveryLog {
  readonly calls: IdentifyCall[] = [];

  /** the calls Segment keeps: the first of each messageId */
  kept(): IdentifyCall[] {
    const seen = new Set<string>();
    return this.calls.filter((call) => !seen.has(call.messageId) && seen.add(call.messageId));
  }

  traitsOf(target: IdentityKey): Traits {
    return this.kept()
      .filter((call) => call.target === target)
      .reduce<Traits>((merged, call) => ({ ...merged, ...call.traits }), {});
  }
}

/** One container's TraitWriter: queues like the real ones, and records what a flush delivered. */
class RecordingWriter implements TraitWriter {
  private queue: IdentifyCall[] = [];
  constructor(private readonly log: DeliveryLog) {}

  identify(call: IdentifyCall): void {
    this.queue.push(call);
  }

  track(): void {}

  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    // Delivery takes a network round trip: other invocations run meanwhile, as they do in a container.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.log.calls.push(...this.queue);
    this.queue = [];
    return { rejected: [] };
  }

  async close(): Promise<void> {}
}

/** A trait never written and a trait written as null read the same on a Segment profile. */
function withoutNulls(traits: Traits): Traits {
  return Object.fromEntries(Object.entries(traits).filter(([, value]) => value !== null));
}

/** A handler as one Lambda container runs it: its own pipeline and writer, over the shared store. */
function container(store: AttributionStore, log: DeliveryLog) {
  return createHandler(() =>
    createApp(env, {
      store,
      writer: new RecordingWriter(log),
      log: silentLogger,
      clock: () => new Date('2026-06-01T00:00:00.000Z'),
    }),
  );
}

/**
 * One user over a week on two devices: search, newsletter, social and paid visits, Direct visits that
 * start a session and Direct pages that continue one, an identify from each device, and tracks.
 */
function userJourney(): Message[] {
  const a = 'dev-a-concurrent';
  const b = 'dev-b-concurrent';
  const userId = 'u-concurrent';
  let n = 0;
  const id = () => `conc-${String(++n).padStart(3, '0')}`;
  return [
    pageEvent({
      messageId: id(),
      anonymousId: a,
      at: '2026-05-01T09:00:00.000Z',
      url: `${SITE}/`,
      referrer: 'https://www.google.com/',
    }),
    trackEvent({
      messageId: id(),
      anonymousId: a,
      at: '2026-05-01T09:05:00.000Z',
      url: `${SITE}/shoes`,
      referrer: `${SITE}/`,
      event: 'Product Viewed',
    }),
    pageEvent({
      messageId: id(),
      anonymousId: a,
      at: '2026-05-01T09:06:00.000Z',
      url: `${SITE}/shoes/1`,
      referrer: `${SITE}/shoes`,
    }),
    pageEvent({ messageId: id(), anonymousId: a, at: '2026-05-02T09:40:00.000Z', url: `${SITE}/sale` }),
    pageEvent({
      messageId: id(),
      anonymousId: a,
      at: '2026-05-02T10:00:00.000Z',
      url: `${SITE}/sale?utm_source=newsletter&utm_medium=email&utm_campaign=may_sale`,
    }),
    pageEvent({ messageId: id(), anonymousId: a, at: '2026-05-02T10:20:00.000Z', url: `${SITE}/sale/2` }),
    pageEvent({
      messageId: id(),
      anonymousId: b,
      at: '2026-05-03T20:00:00.000Z',
      url: `${SITE}/jackets`,
      referrer: 'https://www.facebook.com/',
    }),
    pageEvent({
      messageId: id(),
      anonymousId: b,
      at: '2026-05-03T20:10:00.000Z',
      url: `${SITE}/jackets/4`,
      referrer: `${SITE}/jackets`,
    }),
    identifyEvent({ messageId: id(), anonymousId: b, userId, at: '2026-05-03T20:15:00.000Z' }),
    trackEvent({
      messageId: id(),
      anonymousId: b,
      userId,
      at: '2026-05-03T20:16:00.000Z',
      url: `${SITE}/account`,
      event: 'Signed Up',
    }),
    pageEvent({ messageId: id(), anonymousId: a, at: '2026-05-04T08:00:00.000Z', url: `${SITE}/` }),
    pageEvent({ messageId: id(), anonymousId: a, at: '2026-05-04T08:10:00.000Z', url: `${SITE}/tents` }),
    identifyEvent({ messageId: id(), anonymousId: a, userId, at: '2026-05-04T08:12:00.000Z' }),
    pageEvent({
      messageId: id(),
      anonymousId: a,
      userId,
      at: '2026-05-04T12:00:00.000Z',
      url: `${SITE}/`,
      referrer: 'https://www.bing.com/search?q=tent',
    }),
    pageEvent({
      messageId: id(),
      anonymousId: b,
      userId,
      at: '2026-05-05T18:00:00.000Z',
      url: `${SITE}/tents/9?utm_source=google&utm_medium=cpc&utm_campaign=brand_search&gclid=abc123`,
      referrer: 'https://www.google.com/',
    }),
    pageEvent({
      messageId: id(),
      anonymousId: b,
      userId,
      at: '2026-05-05T18:05:00.000Z',
      url: `${SITE}/cart`,
    }),
    trackEvent({
      messageId: id(),
      anonymousId: b,
      userId,
      at: '2026-05-05T18:07:00.000Z',
      url: `${SITE}/checkout`,
      referrer: `${SITE}/cart`,
      event: 'Order Completed',
      properties: { revenue: 129 },
    }),
    pageEvent({
      messageId: id(),
      anonymousId: a,
      userId,
      at: '2026-05-07T07:30:00.000Z',
      url: `${SITE}/blog`,
    }),
  ];
}

/** The journey as Segment might deliver it: every message at least once, some twice, in a seeded shuffle. */
function deliveries(journey: readonly Message[], count: number, seed: number): Message[] {
  const order = shuffled(journey, seed);
  const duplicates = Array.from(
    { length: count - journey.length },
    (_, i) => order[i % order.length] as Message,
  );
  return shuffled([...journey, ...duplicates], seed + 1);
}

/** What one message at a time, in timestamp order, leaves on the profile (a MemoryStore). */
async function orderedReference(journey: readonly Message[]): Promise<Traits> {
  const sorted = [...journey].sort((x, y) => String(x.timestamp).localeCompare(String(y.timestamp)));
  const log = new DeliveryLog();
  const store = new MemoryStore();
  const handle = container(store, log);
  for (const message of sorted) await handle(message, lambdaContext);
  const expected = (await store.getProfileState(USER))?.writtenTraits ?? {};
  expect(expected).toMatchObject({ first_touch_channel: 'Organic Search', touch_count: expect.any(Number) });
  expect(withoutNulls(log.traitsOf(USER))).toEqual(withoutNulls(expected));
  return expected;
}

/** The burst delivered one invocation after another: how many identify calls Segment keeps. */
async function sequentialCalls(burst: readonly Message[], store: AttributionStore): Promise<number> {
  const log = new DeliveryLog();
  const handle = container(store, log);
  for (const message of burst) await handle(structuredClone(message), lambdaContext);
  return log.kept().length;
}

/**
 * Counts the saves of written traits that another writer beat (saveWrittenTraits returned false): each
 * calls for one resend of every trait, since the two identify calls may have reached Segment in either
 * order.
 */
function countLostSaves(store: AttributionStore): { lost: number } {
  const counter = { lost: 0 };
  const save = store.saveWrittenTraits.bind(store);
  store.saveWrittenTraits = async (...args) => {
    const saved = await save(...args);
    if (!saved) counter.lost++;
    return saved;
  };
  return counter;
}

/** The same assertions for every store: nothing failed, no duplicate, the ordered run's traits. */
async function assessBurst(input: {
  results: PromiseSettledResult<unknown>[];
  log: DeliveryLog;
  store: AttributionStore;
  expected: Traits;
  sequential: number;
  lostSaves: number;
}): Promise<void> {
  const { results, log, store, expected, sequential, lostSaves } = input;
  expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  // Concurrency may fold several messages into one write-back; it adds one only where two writers raced
  // (a lost save, resent in full): what Segment keeps is at most what one invocation at a time sends plus
  // those, and every call beyond it is a copy with the same id.
  expect(log.kept().length).toBeLessThanOrEqual(sequential + lostSaves);
  expect((await store.getProfileState(USER))?.writtenTraits).toEqual(expected);
  // Segment's view: the kept calls merged in arrival order, so a stale last touch arriving last shows
  const merged = log.traitsOf(USER);
  expect(merged.last_touch_campaign).toBe(expected.last_touch_campaign);
  expect(withoutNulls(merged)).toEqual(withoutNulls(expected));
}

describe('50 invocations in flight in one container on SQLite', () => {
  it("sends the identify calls of a sequential run and ends with the ordered run's traits", async () => {
    // Prepare
    const journey = userJourney();
    const expected = await orderedReference(journey);
    const burst = deliveries(journey, INVOCATIONS, 11);
    const sequential = await sequentialCalls(burst, await openSqliteStore(':memory:'));

    // Act: one container (one app, one writer) over one SQLite file, 50 invocations at once
    const log = new DeliveryLog();
    const store = await openSqliteStore(':memory:');
    const saves = countLostSaves(store);
    const handle = container(store, log);
    const results = await Promise.allSettled(
      burst.map((message) => handle(structuredClone(message), lambdaContext)),
    );

    // Assess: one writer never races itself
    expect(saves.lost).toBe(0);
    await assessBurst({ results, log, store, expected, sequential, lostSaves: 0 });
    await store.close();
  });
});

describe('50 concurrent invocations for one user against DynamoDB', () => {
  let local: DynamoDbLocal | undefined;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
  });

  it("sends the identify calls of a sequential run and ends with the ordered run's traits", async () => {
    // Prepare
    if (!local) throw new Error('DynamoDB Local did not start');
    const journey = userJourney();
    const expected = await orderedReference(journey);
    const burst = deliveries(journey, INVOCATIONS, 7);
    expect(burst).toHaveLength(INVOCATIONS);
    expect(new Set(burst.map((message) => message.messageId)).size).toBe(journey.length);
    const client = local.documentClient;
    const sequential = await sequentialCalls(
      burst,
      await openDynamoDbStore(await local.freshTable('seq'), client),
    );

    // Act: 50 invocations at once, one message each, each in its own "container"
    const log = new DeliveryLog();
    const store = await openDynamoDbStore(await local.freshTable('concurrency'), client);
    const saves = countLostSaves(store);
    const results = await Promise.allSettled(
      burst.map((message) => container(store, log)(structuredClone(message), lambdaContext)),
    );

    // Assess
    await assessBurst({ results, log, store, expected, sequential, lostSaves: saves.lost });
  }, 120_000);
});
