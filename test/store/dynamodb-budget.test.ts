import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { generateEvents } from '../../src/generate';
import { silentLogger } from '../../src/log';
import { openDynamoDbStore } from '../../src/store/dynamodb';
import { TEST_CREDENTIALS } from '../personalize/helpers';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakePersonalize } from '../support/personalize-server';
import { RecordingTraitWriter } from '../support/recording-writer';
import { countRequests, emptyTally, type RequestTally } from '../support/request-counter';

/**
 * The DynamoDB request budget of the Lambda path (issue 16): the generated stream delivered one message
 * per invocation, as Segment's Lambda destination does, through the composition root and the Lambda
 * handler, over DynamoDB Local; every request the store sends is priced in on-demand request units.
 */
const USERS = 40;
const SEED = 16;
const lambdaContext = { getRemainingTimeInMillis: () => 5000 };
const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization';

/** Averages per event of one run, overall and per event type. */
interface Budget {
  events: number;
  reads: number;
  writes: number;
  byType: Record<string, { events: number; reads: number; writes: number }>;
  byOperation: RequestTally['byOperation'];
  /** every tenth event delivered again after the stream, as Segment may when it missed an answer */
  redelivered: { events: number; reads: number; writes: number };
}

describe('the DynamoDB request budget of the Lambda path', () => {
  let local: DynamoDbLocal | undefined;
  const personalize = new FakePersonalize();
  let personalizeEndpoint = '';

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    personalizeEndpoint = await personalize.start();
  }, 120_000);

  afterAll(async () => {
    await personalize.stop();
    await local?.stop();
  });

  /** Delivers the stream through one container's handler and prices each invocation's requests. */
  async function run(env: Record<string, string>): Promise<Budget> {
    if (!local) throw new Error('DynamoDB Local did not start');
    const counter = countRequests(local.client);
    const store = await openDynamoDbStore(await local.freshTable('budget'), local.documentClient);
    let now = new Date('2026-01-01T00:00:00.000Z');
    const handle = createHandler(() =>
      createApp(
        { TOUCHPOINT_STORE: 'memory', TOUCHPOINT_LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', ...env },
        {
          store,
          writer: new RecordingTraitWriter(),
          log: silentLogger,
          clock: () => now,
          personalize: { endpoint: personalizeEndpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 },
        },
      ),
    );
    const events = generateEvents({ users: USERS, seed: SEED, start: new Date('2026-01-01T00:00:00Z') });
    const total = emptyTally();
    const byType: Budget['byType'] = {};
    counter.reset();
    for (const event of events) {
      now = new Date(String(event.receivedAt));
      await handle(event, lambdaContext);
      const tally = counter.reset();
      const type = String(event.type);
      const entry = (byType[type] ??= { events: 0, reads: 0, writes: 0 });
      entry.events++;
      entry.reads += tally.readUnits;
      entry.writes += tally.writeUnits;
      total.readUnits += tally.readUnits;
      total.writeUnits += tally.writeUnits;
      for (const [operation, counts] of Object.entries(tally.byOperation)) {
        const sum = (total.byOperation[operation] ??= { requests: 0, readUnits: 0, writeUnits: 0 });
        sum.requests += counts.requests;
        sum.readUnits += counts.readUnits;
        sum.writeUnits += counts.writeUnits;
      }
    }
    const again = events.filter((_, index) => index % 10 === 0);
    const redelivered = emptyTally();
    for (const event of again) {
      await handle(event, lambdaContext);
      const tally = counter.reset();
      redelivered.readUnits += tally.readUnits;
      redelivered.writeUnits += tally.writeUnits;
    }
    const per = (value: number, count: number) => Math.round((value / count) * 100) / 100;
    return {
      redelivered: {
        events: again.length,
        reads: per(redelivered.readUnits, again.length),
        writes: per(redelivered.writeUnits, again.length),
      },
      events: events.length,
      reads: per(total.readUnits, events.length),
      writes: per(total.writeUnits, events.length),
      byType: Object.fromEntries(
        Object.entries(byType).map(([type, entry]) => [
          type,
          {
            events: entry.events,
            reads: per(entry.reads, entry.events),
            writes: per(entry.writes, entry.events),
          },
        ]),
      ),
      byOperation: Object.fromEntries(
        Object.entries(total.byOperation).map(([operation, counts]) => [
          operation,
          {
            requests: per(counts.requests, events.length),
            readUnits: per(counts.readUnits, events.length),
            writeUnits: per(counts.writeUnits, events.length),
          },
        ]),
      ),
    };
  }

  /**
   * The budgets, per event on average, in request units (what on-demand bills). Issue 16 asks for 3 read
   * and 2 write units per event with Personalize; the first budget is that, the others keep what was
   * reached with a little headroom: 2.36 read and 1.86 write units per event with Personalize (page
   * 2.24/1.63, track 2.15/1.74, identify 4.74/5, alias 6/4), 4.26 and 4.91 with the local fallback.
   * Before this the same stream took 4.36 reads and 2.86 writes with Personalize: a GetItem of the
   * idempotency record before each event, a `done` write after it (recordActivity's conditional put
   * now says whether a message came before, and a Lambda delivery is not marked done, see marksDone in
   * src/pipeline/engine.ts) and a session-check Query per event (the write-back now deletes the Direct
   * touches an event continues, from the touches it reads anyway). Before links and profile states
   * moved into their id's partition it took 7.60 reads.
   */
  const WITH_PERSONALIZE: Budgets = {
    all: { reads: 3, writes: 2 },
    page: { reads: 2.4, writes: 1.75 },
    track: { reads: 2.3, writes: 1.85 },
    identify: { reads: 5.1, writes: 5.3 },
    alias: { reads: 6.5, writes: 4.3 },
  };
  /** The local fallback recommender keeps its model in the same table: catalog events cost far more. */
  const WITH_LOCAL_FALLBACK: Budgets = {
    all: { reads: 4.5, writes: 5.1 },
    page: { reads: 2.4, writes: 1.75 },
    track: { reads: 7.4, writes: 11.2 },
    identify: { reads: 10.1, writes: 5.3 },
    alias: { reads: 6.5, writes: 4.3 },
  };

  /**
   * A completed Lambda delivery is not marked done, so one that comes again is applied again: 3.75 read
   * and 1.37 write units with Personalize, 3.98 and 1.39 with the local fallback (the failed conditional
   * activity put says it came before, then its record is read and its write-back finds nothing to send).
   * A `done` mark would make that one read, for a write on every event: worth it only if about every
   * second event came twice.
   */
  const REDELIVERY: { reads: number; writes: number } = { reads: 4.2, writes: 1.6 };

  it.each([
    [
      'Amazon Personalize (PutEvents and a campaign)',
      { PERSONALIZE_TRACKING_ID: 'tracking-1', PERSONALIZE_CAMPAIGN_ARN: CAMPAIGN },
      WITH_PERSONALIZE,
    ],
    ['the local fallback recommender (no Personalize)', {}, WITH_LOCAL_FALLBACK],
  ])(
    'with %s, stays within its read and write units per event, overall, per event type and redelivered',
    async (_name, env: Record<string, string>, budgets: Budgets) => {
      // Act
      const budget = await run(env);

      // Assess
      if (process.env.TOUCHPOINT_PRINT_BUDGET) console.log(_name, JSON.stringify(budget, null, 1));
      expect(Object.keys(budget.byType).sort()).toEqual(['alias', 'identify', 'page', 'track']);
      const { events, reads, writes } = budget;
      const measured = { all: { events, reads, writes }, ...budget.byType };
      const over = Object.entries(budgets).filter(([type, limit]) => {
        const figure = measured[type as keyof typeof measured] as { reads: number; writes: number };
        return figure.reads > limit.reads || figure.writes > limit.writes;
      });
      expect(
        Object.fromEntries(over.map(([type]) => [type, measured[type as keyof typeof measured]])),
      ).toEqual({});
      expect(budget.redelivered.reads).toBeLessThanOrEqual(REDELIVERY.reads);
      expect(budget.redelivered.writes).toBeLessThanOrEqual(REDELIVERY.writes);
    },
    600_000,
  );
});

/** Read and write units per event allowed, overall (`all`) and per event type. */
type Budgets = Record<'all' | 'page' | 'track' | 'identify' | 'alias', { reads: number; writes: number }>;
