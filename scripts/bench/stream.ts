/**
 * Stream benchmark: the standard generated stream (2,000 users, seed 7; scripts/bench/personalize.ts)
 * delivered the way a Kinesis event source mapping delivers it: events in time order on one shard,
 * in batches of 100 and of 500 records (base64 Segment messages, the Lambda Kinesis event shape),
 * through the Lambda handler (envelope recognition, deliverBatch, the engine's window), with the real
 * Personalize SDK clients against the local Personalize fake. Counts PutEvents, GetRecommendations and
 * identify calls per 1,000 events, next to the workshop policy (scripts/bench/workshop-policy.ts) on the
 * same messages. The clock follows the event timestamps, as a live stream would: the 15-minute
 * recommendation refresh behaves as it would over the stream's three months. One shard is the
 * conservative case: with more shards a batch holds fewer profiles, each with more events.
 *
 * Run alone: `npx tsx scripts/bench/stream.ts`.
 */
import { createApp, lambdaHandler } from '../../src/app';
import { parseEnvelope, type SegmentMessage } from '../../src/events';
import { generateEvents } from '../../src/generate';
import { silentLogger } from '../../src/log';
import { FakePersonalize } from '../../test/support/personalize-server';
import { kinesisEvent } from '../../test/support/lambda-events';
import { CountingTraitWriter, stableListFor } from './personalize';
import type { BenchResult } from './types';
import { CAMPAIGN, CREDENTIALS, runWorkshopOnLocalPersonalize, SEED, START, USERS } from './workshop-policy';

const BATCH_SIZES = [100, 500] as const;

interface Counts {
  putEvents: number;
  getRecommendations: number;
  identify: number;
  recommendationIdentify: number;
  failures: number;
  seconds: number;
}

async function runBatches(
  endpoint: string,
  fake: FakePersonalize,
  raw: readonly Record<string, unknown>[],
  batchSize: number,
): Promise<Counts> {
  fake.reset();
  const writer = new CountingTraitWriter();
  let now = START.getTime();
  const app = await createApp(
    {
      TOUCHPOINT_STORE: 'memory',
      TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
      PERSONALIZE_TRACKING_ID: 'bench-tracker',
      PERSONALIZE_CAMPAIGN_ARN: CAMPAIGN,
      AWS_REGION: 'us-east-1',
      TOUCHPOINT_DEADLINE_MS: '60000',
    },
    {
      writer,
      clock: () => new Date(now),
      log: silentLogger,
      personalize: { endpoint, credentials: CREDENTIALS },
    },
  );
  const handler = lambdaHandler(async () => app);
  const context = { getRemainingTimeInMillis: () => 120_000, awsRequestId: 'bench' };
  let failures = 0;
  const started = performance.now();
  for (let first = 0; first < raw.length; first += batchSize) {
    const batch = raw.slice(first, first + batchSize);
    for (const message of batch) now = Math.max(now, Date.parse(String(message.timestamp)));
    const response = await handler(kinesisEvent(batch, first + 1), context);
    if ('batchItemFailures' in response) failures += response.batchItemFailures.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  return {
    putEvents: fake.count('events'),
    getRecommendations: fake.count('recommendations'),
    identify: writer.calls,
    recommendationIdentify: writer.recommendationCalls,
    failures,
    seconds,
  };
}

export async function benchStream(): Promise<BenchResult> {
  const generated = generateEvents({ users: USERS, seed: SEED, start: START });
  // A live stream carries events in the order they happen.
  const raw = [...generated].sort(
    (a, b) => Date.parse(String(a.timestamp)) - Date.parse(String(b.timestamp)),
  );
  const messages: SegmentMessage[] = parseEnvelope(raw).flatMap((input) =>
    input.kind === 'message' ? [input.message] : [],
  );
  const fake = new FakePersonalize();
  const endpoint = await fake.start();
  fake.recommend = (request) => stableListFor(request.userId ?? '', request.numResults ?? 25);
  try {
    const runs = [];
    for (const size of BATCH_SIZES) runs.push({ size, counts: await runBatches(endpoint, fake, raw, size) });

    fake.reset();
    const workshop = await runWorkshopOnLocalPersonalize(endpoint, messages);

    const per1000 = (calls: number) => Math.round((calls / raw.length) * 1000 * 10) / 10;
    const unit = 'calls / 1k events';
    const rows: BenchResult['rows'] = [
      { metric: 'workshop: PutEvents', value: per1000(workshop.putEvents), unit },
      { metric: 'workshop: GetRecommendations', value: per1000(workshop.getRecommendations), unit },
      { metric: 'workshop: identify', value: per1000(workshop.identify), unit },
    ];
    for (const { size, counts } of runs) {
      rows.push(
        { metric: `Kinesis batches of ${size}: PutEvents`, value: per1000(counts.putEvents), unit },
        {
          metric: `Kinesis batches of ${size}: GetRecommendations`,
          value: per1000(counts.getRecommendations),
          unit,
        },
        {
          metric: `Kinesis batches of ${size}: identify with recommendations`,
          value: per1000(counts.recommendationIdentify),
          unit,
        },
        { metric: `Kinesis batches of ${size}: identify, all traits`, value: per1000(counts.identify), unit },
        {
          metric: `Kinesis batches of ${size}: throughput`,
          value: Math.round(raw.length / counts.seconds),
          unit: 'events/s',
        },
      );
      if (counts.failures > 0)
        throw new Error(`batches of ${size} reported ${counts.failures} failed records`);
    }
    return {
      section: 'stream',
      rows,
      notes: [
        `${raw.length.toLocaleString('en-US')} events (${USERS} users, seed ${SEED}) in time order on one shard; the workshop policy on the same messages`,
      ],
    };
  } finally {
    await fake.stop();
  }
}

if (require.main === module) {
  void benchStream().then((result) => {
    for (const row of result.rows) console.log(`${row.metric}: ${row.value} ${row.unit}`);
    for (const note of result.notes ?? []) console.log(note);
  });
}
