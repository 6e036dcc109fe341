/**
 * Personalize benchmark: two generated streams, the default (shop) one and the workshop-shaped one
 * (`touchpoint generate --profile workshop`), each through touchpoint on every delivery path and through
 * the workshop policy (scripts/bench/workshop-policy.ts: one PutEvents per event, one GetRecommendations
 * + one identify per identified event), with the real SDK clients against the local Personalize fake
 * (test/support/personalize-server.ts). Paths:
 * - replay: replayLines, the code behind `touchpoint replay`;
 * - Kinesis: the Lambda handler on Kinesis events of template.yaml's StreamBatchSize records, in time
 *   order on one shard (read from the template, so the bench measures what deploys);
 * - SQS: the same on SQS events of a standard queue, batches of the same size;
 * - Lambda: one message per invocation, as Segment's Lambda destination delivers them.
 * Counted: PutEvents calls; GetRecommendations calls and their maximum per (profile, refresh window);
 * identify calls carrying a recommendation list, and those carrying a list equal to the one last
 * written to the same target. Clocks: the replay runs on the wall clock, as `touchpoint replay` does; the
 * other paths follow the event timestamps, so the 15-minute refresh behaves as it would live. The fake
 * answers each user with a stable list of its own, so every list after a target's first is unchanged.
 *
 * Run alone: `npx tsx scripts/bench/personalize.ts`.
 */

import { createApp, lambdaHandler } from '../../src/app';
import { loadConfig } from '../../src/config';
import { parseEnvelope, type SegmentMessage } from '../../src/events';
import { generateEvents, type RawMessage } from '../../src/generate';
import { workshopTraffic } from '../../src/generate/workshop';
import { silentLogger } from '../../src/log';
import { replayLines } from '../../src/replay';
import type { IdentifyCall, TraitWriter } from '../../src/writeback';
import { FakePersonalize } from '../../test/support/personalize-server';
import { kinesisEvent, kinesisRecord, sqsEvent, sqsRecord } from '../../test/support/lambda-events';
import { lambdaBatches, templateParameterDefault, type BatchRule } from './template';
import type { BenchResult } from './types';
import { CAMPAIGN, CREDENTIALS, runWorkshopOnLocalPersonalize, SEED, START, USERS } from './workshop-policy';

/** Visitors of the workshop stream: about as many events as the default stream's 2,000 users make. */
export const WORKSHOP_USERS = 6000;
const REFRESH_MS = 15 * 60_000;
/** Kinesis batch sizes tried besides the template's, for what a larger StreamBatchSize would give. */
const SWEEP_BATCH_SIZES = [1000, 2000, 3000, 10_000];

/**
 * Counts identify calls, those that carry a recommendation list (a `recommended*` trait holding an
 * array), and those whose list equals the one last written to the same target: split into the resends
 * after a merge where another id of the user (`linkedIds`: the stream's userId -> anonymousIds) was
 * written a different list, which Segment's merge may have kept, and the rest, which are waste.
 */
export class CountingTraitWriter implements TraitWriter {
  calls = 0;
  recommendationCalls = 0;
  unchangedListCalls = 0;
  resentAfterMergeCalls = 0;
  private queued: IdentifyCall[] = [];
  private readonly lastLists = new Map<string, string>();
  constructor(private readonly linkedIds: ReadonlyMap<string, ReadonlySet<string>> = new Map()) {}
  identify(call: IdentifyCall): void {
    this.queued.push(call);
  }
  track(): void {}
  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    for (const call of this.queued) {
      this.calls++;
      const lists = Object.entries(call.traits).filter(
        ([key, value]) => key.startsWith('recommended') && Array.isArray(value),
      );
      if (lists.length > 0) this.recommendationCalls++;
      let unchanged = false;
      let otherIdHeldAnother = false;
      for (const [key, value] of lists) {
        const slot = `${call.target}\n${key}`;
        const list = JSON.stringify(value);
        if (this.lastLists.get(slot) !== list) {
          this.lastLists.set(slot, list);
          continue;
        }
        unchanged = true;
        const userId = call.target.startsWith('user:') ? call.target.slice('user:'.length) : null;
        for (const anonymousId of (userId && this.linkedIds.get(userId)) || []) {
          const theirs = this.lastLists.get(`anon:${anonymousId}\n${key}`);
          if (theirs !== undefined && theirs !== list) otherIdHeldAnother = true;
        }
      }
      if (unchanged && otherIdHeldAnother) this.resentAfterMergeCalls++;
      else if (unchanged) this.unchangedListCalls++;
    }
    this.queued = [];
    return { rejected: [] };
  }
  async close(): Promise<void> {}
}

/** A per-user list that does not change between calls (Personalize's drift with new events is not modelled). */
export function stableListFor(userId: string, count: number): string[] {
  let hash = 0;
  for (const char of userId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return Array.from(
    { length: count },
    (_, i) => `prod-${String(((hash + i * 7) % 60) + 1).padStart(3, '0')}`,
  );
}

type Path = { kind: 'replay' } | { kind: 'lambda' } | { kind: 'kinesis' | 'sqs'; rule: BatchRule };

interface Counts {
  putEvents: number;
  getRecommendations: number;
  /** the most GetRecommendations calls for one user id within one refresh interval */
  maxPerWindow: number;
  identify: number;
  recommendationIdentify: number;
  unchangedIdentify: number;
  resentAfterMerge: number;
  /** the largest invocation payload (a batch's JSON), bytes */
  largestPayload: number;
  /** invocations of the handler (batches, or messages) */
  invocations: number;
  seconds: number;
}

/** The most calls of one id within any span shorter than the refresh interval. */
function maxPerRefreshWindow(calls: ReadonlyMap<string, number[]>): number {
  let max = 0;
  for (const times of calls.values()) {
    let first = 0;
    for (let last = 0; last < times.length; last++) {
      while ((times[last] as number) - (times[first] as number) >= REFRESH_MS) first++;
      max = Math.max(max, last - first + 1);
    }
  }
  return max;
}

/** The stream's userId -> anonymousIds (the ids an identify, alias or identified event links). */
function linkedIdsOf(raw: readonly RawMessage[]): Map<string, Set<string>> {
  const links = new Map<string, Set<string>>();
  for (const message of raw) {
    const userId = typeof message.userId === 'string' ? message.userId : null;
    const other = message.type === 'alias' ? message.previousId : message.anonymousId;
    if (!userId || typeof other !== 'string') continue;
    links.set(userId, (links.get(userId) ?? new Set()).add(other));
  }
  return links;
}

async function runTouchpoint(
  endpoint: string,
  fake: FakePersonalize,
  raw: readonly RawMessage[],
  path: Path,
): Promise<Counts> {
  fake.reset();
  const writer = new CountingTraitWriter(linkedIdsOf(raw));
  let now = START.getTime();
  const clock = path.kind === 'replay' ? () => new Date() : () => new Date(now);
  const calls = new Map<string, number[]>();
  fake.recommend = (request) => {
    const id = request.userId ?? '';
    calls.set(id, [...(calls.get(id) ?? []), clock().getTime()]);
    return stableListFor(id, request.numResults ?? 25);
  };
  const app = await createApp(
    {
      TOUCHPOINT_STORE: 'memory',
      TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
      PERSONALIZE_TRACKING_ID: 'bench-tracker',
      PERSONALIZE_CAMPAIGN_ARN: CAMPAIGN,
      AWS_REGION: 'us-east-1',
      TOUCHPOINT_DEADLINE_MS: '60000',
    },
    { writer, clock, log: silentLogger, personalize: { endpoint, credentials: CREDENTIALS } },
  );
  const handler = lambdaHandler(async () => app);
  const context = { getRemainingTimeInMillis: () => 120_000, awsRequestId: 'bench' };
  let failures = 0;
  let largestPayload = 0;
  let invocations = 0;
  const started = performance.now();
  if (path.kind === 'replay') {
    await replayLines(app.engine, linesOf(raw));
  } else if (path.kind === 'lambda') {
    for (const message of raw) {
      now = Math.max(now, Date.parse(String(message.timestamp)));
      invocations++;
      const response = await handler(message, context);
      if ('deadLettered' in response && response.deadLettered > 0) failures += response.deadLettered;
    }
  } else {
    const eventOf = path.kind === 'kinesis' ? kinesisEvent : sqsEvent;
    let first = 1;
    for (const batch of lambdaBatches(raw, path.rule)) {
      for (const message of batch) now = Math.max(now, Date.parse(String(message.timestamp)));
      const event = eventOf(batch, first);
      first += batch.length;
      invocations++;
      largestPayload = Math.max(largestPayload, Buffer.byteLength(JSON.stringify(event)));
      const response = await handler(event, context);
      if ('batchItemFailures' in response) failures += response.batchItemFailures.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  if (failures > 0) throw new Error(`${path.kind}: ${failures} messages failed or were dead-lettered`);
  if (fake.violations.length > 0)
    throw new Error(`PutEvents limit violations: ${fake.violations.slice(0, 3).join('; ')}`);
  if (fake.putEvents.some((body) => (body.eventList?.length ?? 0) > 10))
    throw new Error('a PutEvents call carried more than 10 events');
  return {
    putEvents: fake.count('events'),
    getRecommendations: fake.count('recommendations'),
    maxPerWindow: maxPerRefreshWindow(calls),
    identify: writer.calls,
    recommendationIdentify: writer.recommendationCalls,
    unchangedIdentify: writer.unchangedListCalls,
    resentAfterMerge: writer.resentAfterMergeCalls,
    largestPayload,
    invocations,
    seconds,
  };
}

/** The events as the JSON lines `touchpoint replay` reads. */
async function* linesOf(raw: readonly RawMessage[]): AsyncIterable<string> {
  for (const event of raw) yield JSON.stringify(event);
}

/** Tracked events and their (session, user) pairs: perfect batching needs one PutEvents per pair. */
function streamShape(messages: readonly SegmentMessage[], eventTypes: Readonly<Record<string, string>>) {
  const pairs = new Set<string>();
  const users = new Set<string>();
  let tracked = 0;
  let identifiedTracked = 0;
  for (const message of messages) {
    if (message.type !== 'track' || !eventTypes[message.event]) continue;
    tracked++;
    if (message.userId) {
      identifiedTracked++;
      users.add(message.userId);
    }
    pairs.add(JSON.stringify([message.anonymousId ?? message.userId, message.userId ?? null]));
  }
  return { tracked, pairs: pairs.size, users: users.size, identifiedTracked };
}

const ratio = (a: number, b: number) => (b === 0 ? Infinity : Math.round((a / b) * 10) / 10);

async function benchStream(
  endpoint: string,
  fake: FakePersonalize,
  name: string,
  raw: readonly RawMessage[],
  settings: { batchSize: number; windowSeconds: number },
): Promise<{ rows: BenchResult['rows']; notes: string[] }> {
  const messages: SegmentMessage[] = parseEnvelope(raw).flatMap((input) =>
    input.kind === 'message' ? [input.message] : [],
  );
  const { batchSize, windowSeconds } = settings;
  const kinesisBytes = (message: RawMessage) => JSON.stringify(kinesisRecord(message, 1)).length + 1;
  const sqsBytes = (message: RawMessage) => JSON.stringify(sqsRecord(message, 1)).length + 1;
  const full = `BatchSize ${batchSize}, full batches`;
  const paths: Array<{ label: string; path: Path; batched: boolean }> = [
    { label: 'replay', path: { kind: 'replay' }, batched: true },
    {
      label: `Kinesis, ${full}`,
      path: { kind: 'kinesis', rule: { batchSize, windowMs: null, recordBytes: kinesisBytes } },
      batched: true,
    },
    {
      label: `SQS, ${full}`,
      path: { kind: 'sqs', rule: { batchSize, windowMs: null, recordBytes: sqsBytes } },
      batched: true,
    },
    {
      label: `Kinesis at the stream's own pace, ${windowSeconds} s window`,
      path: {
        kind: 'kinesis',
        rule: { batchSize, windowMs: windowSeconds * 1000, recordBytes: kinesisBytes },
      },
      batched: false,
    },
    { label: 'Lambda, one message per invocation', path: { kind: 'lambda' }, batched: false },
  ];
  const runs = [];
  for (const { label, path, batched } of paths)
    runs.push({ label, batched, counts: await runTouchpoint(endpoint, fake, raw, path) });
  fake.reset();
  const workshop = await runWorkshopOnLocalPersonalize(endpoint, messages);
  const shape = streamShape(messages, loadConfig({ TOUCHPOINT_STORE: 'memory' }).personalize.eventTypes);

  const per1000 = (calls: number) => Math.round((calls / raw.length) * 1000 * 10) / 10;
  const unit = 'calls / 1k events';
  const rows: BenchResult['rows'] = [
    { metric: `${name}: workshop PutEvents`, value: per1000(workshop.putEvents), unit },
    { metric: `${name}: workshop GetRecommendations`, value: per1000(workshop.getRecommendations), unit },
    { metric: `${name}: workshop identify`, value: per1000(workshop.identify), unit },
  ];
  for (const { label, batched, counts } of runs) {
    rows.push(
      { metric: `${name}, ${label}: PutEvents`, value: per1000(counts.putEvents), unit },
      {
        metric: `${name}, ${label}: fewer PutEvents than the workshop`,
        value: ratio(workshop.putEvents, counts.putEvents),
        unit: 'x',
        ...(batched ? { target: '>= 3' } : {}),
      },
      { metric: `${name}, ${label}: GetRecommendations`, value: per1000(counts.getRecommendations), unit },
      {
        metric: `${name}, ${label}: GetRecommendations, most per (profile, refresh window)`,
        value: counts.maxPerWindow,
        unit: 'calls',
        target: '1',
      },
      {
        metric: `${name}, ${label}: identify with a recommendation list`,
        value: per1000(counts.recommendationIdentify),
        unit,
      },
      {
        metric: `${name}, ${label}: identify with an unchanged list`,
        value: counts.unchangedIdentify,
        unit: 'calls',
        target: '0',
      },
      {
        metric: `${name}, ${label}: unchanged list resent after a merge, another id holding a different one`,
        value: counts.resentAfterMerge,
        unit: 'calls',
      },
      { metric: `${name}, ${label}: identify, all traits`, value: per1000(counts.identify), unit },
    );
  }
  // What larger batches would give (BatchSize 10,000 is Lambda's maximum; the 6 MB payload bounds it).
  for (const size of SWEEP_BATCH_SIZES) {
    if (size === batchSize) continue;
    const rule = { batchSize: size, windowMs: null, recordBytes: kinesisBytes };
    const counts = await runTouchpoint(endpoint, fake, raw, { kind: 'kinesis', rule });
    rows.push({
      metric: `${name}, Kinesis, BatchSize ${size}, full batches (${Math.round(raw.length / counts.invocations)} records each, the largest ${(counts.largestPayload / 1_048_576).toFixed(2)} MB): fewer PutEvents than the workshop`,
      value: ratio(workshop.putEvents, counts.putEvents),
      unit: 'x',
    });
  }
  const batchedRun = runs.find(({ label }) => label.startsWith('Kinesis'));
  const pacedRun = runs.find(({ label }) => label.includes('own pace'));
  const lambdaRun = runs.find(({ label }) => label.startsWith('Lambda'));
  const notes = [
    `${name}: ${raw.length.toLocaleString('en-US')} events, ${shape.tracked.toLocaleString('en-US')} tracked over ${shape.pairs.toLocaleString('en-US')} (anonymousId, userId) pairs ` +
      `(PutEvents takes one pair per call, so no batching beats ${ratio(workshop.putEvents, shape.pairs)}x); ` +
      `${shape.users} identified users make ${shape.identifiedTracked} identified tracked events (${(shape.identifiedTracked / Math.max(1, shape.users)).toFixed(1)} each).`,
    `${name}: full Kinesis batches: ${batchedRun?.counts.invocations} invocations, the largest ${((batchedRun?.counts.largestPayload ?? 0) / 1_048_576).toFixed(2)} MB (Lambda's limit: 6 MB); ` +
      `at the stream's own pace (records arriving at their timestamps, a batch closing ${windowSeconds} s after its first record): ` +
      `${pacedRun?.counts.invocations} invocations, ${(raw.length / (pacedRun?.counts.invocations ?? 1) || 0).toFixed(2)} records each; ` +
      `the one-message Lambda path makes ${lambdaRun ? lambdaRun.counts.putEvents : 0} PutEvents for ${shape.tracked} tracked messages ` +
      '(one call per tracked message: nothing to batch within one invocation).',
    `${name}: seconds per path: ${runs.map(({ label, counts }) => `${label} ${counts.seconds.toFixed(1)}`).join(', ')}.`,
  ];
  return { rows, notes };
}

export async function benchPersonalize(): Promise<BenchResult> {
  const batchSize = templateParameterDefault('StreamBatchSize');
  const windowSeconds = templateParameterDefault('StreamBatchingWindowSeconds');
  const settings = { batchSize, windowSeconds };
  const fake = new FakePersonalize();
  const endpoint = await fake.start();
  try {
    const shop = await benchStream(
      endpoint,
      fake,
      'default stream',
      generateEvents({ users: USERS, seed: SEED, start: START }),
      settings,
    );
    const workshop = await benchStream(
      endpoint,
      fake,
      'workshop stream',
      generateEvents({ users: WORKSHOP_USERS, seed: SEED, start: START }, workshopTraffic),
      settings,
    );
    return {
      section: 'Amazon Personalize calls',
      rows: [...shop.rows, ...workshop.rows],
      notes: [
        `Streams: the default generator (${USERS} users, seed ${SEED}) and \`generate --profile workshop\` (${WORKSHOP_USERS} visitors, seed ${SEED}), in time order. ` +
          `Kinesis and SQS: template.yaml's StreamBatchSize (${batchSize}) and StreamBatchingWindowSeconds (${windowSeconds}) defaults. ` +
          'Full batches: records arrive faster than the window closes (a busy stream), so a batch holds BatchSize records or 6 MB, whichever comes first; ' +
          "the stream's own pace: records arrive at their timestamps, so this small shop's batches hold what one window gathers.",
        'Real SDK clients against the local Personalize fake; no PutEvents call carried more than 10 events or broke a field limit (checked by the fake).',
        ...shop.notes,
        ...workshop.notes,
      ],
    };
  } finally {
    await fake.stop();
  }
}

if (require.main === module) {
  benchPersonalize()
    .then((result) => {
      console.log(`## ${result.section}`);
      for (const row of result.rows) {
        console.log(
          `${row.metric.padEnd(90)} ${String(row.value).padStart(8)} ${row.unit}${row.target ? `  (target ${row.target})` : ''}`,
        );
      }
      for (const note of result.notes ?? []) console.log(`- ${note}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
