/**
 * Personalize benchmark: the standard generated stream (2,000 users, seed 7) through touchpoint and
 * through the workshop policy (scripts/bench/workshop-policy.ts), both with the real SDK clients against
 * the local Personalize fake (test/support/personalize-server.ts), counting calls per 1,000 events:
 * - touchpoint replay: replayLines, the code behind `touchpoint replay` (where the 10-events-per-call batching applies);
 * - touchpoint Lambda-style: one message per invocation, as Segment's destination delivers them;
 * - the workshop: one PutEvents per event, one GetRecommendations + one identify per identified event.
 * Clocks: the replay runs on the wall clock, as `touchpoint replay` does (the refresh interval is real
 * time: GetRecommendations answers for today, whatever the age of the replayed events). The Lambda-style
 * run follows the event timestamps, so the 15-minute interval behaves as it would live over the stream's
 * three months. The fake answers each user with a stable list of its own.
 *
 * Run alone: `npx tsx scripts/bench/personalize.ts`.
 */

import { loadConfig } from '../../src/config';
import { parseEnvelope, type SegmentMessage } from '../../src/events';
import { generateEvents } from '../../src/generate';
import { silentLogger } from '../../src/log';
import { createApp } from '../../src/app';
import type { IdentifyCall, TraitWriter } from '../../src/writeback';
import { FakePersonalize } from '../../test/support/personalize-server';
import type { BenchResult } from './types';
import { CAMPAIGN, CREDENTIALS, runWorkshopOnLocalPersonalize, SEED, START, USERS } from './workshop-policy';
import { DEFAULT_WINDOW_SIZE, replayLines } from '../../src/replay';

/** Counts identify calls, and those that carry recommendation traits. */
export class CountingTraitWriter implements TraitWriter {
  calls = 0;
  recommendationCalls = 0;
  private queued: IdentifyCall[] = [];
  identify(call: IdentifyCall): void {
    this.queued.push(call);
  }
  track(): void {}
  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    for (const call of this.queued) {
      this.calls++;
      if (Object.keys(call.traits).some((key) => key.startsWith('recommend'))) this.recommendationCalls++;
    }
    this.queued = [];
    return { rejected: [] };
  }
  async close(): Promise<void> {}
}

interface Counts {
  putEvents: number;
  getRecommendations: number;
  identify: number;
  recommendationIdentify: number;
  seconds: number;
}

async function runTouchpoint(
  endpoint: string,
  fake: FakePersonalize,
  raw: Record<string, unknown>[],
  mode: 'replay' | 'lambda',
  extraEnv: Record<string, string> = {},
): Promise<Counts> {
  const clockFollowsEvents = mode === 'lambda';
  fake.reset();
  const writer = new CountingTraitWriter();
  let now = START.getTime();
  const clock = clockFollowsEvents ? () => new Date(now) : () => new Date();
  const app = await createApp(
    {
      TOUCHPOINT_STORE: 'memory',
      TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
      PERSONALIZE_TRACKING_ID: 'bench-tracker',
      PERSONALIZE_CAMPAIGN_ARN: CAMPAIGN,
      AWS_REGION: 'us-east-1',
      ...extraEnv,
    },
    { writer, clock, log: silentLogger, personalize: { endpoint, credentials: CREDENTIALS } },
  );
  const started = performance.now();
  if (mode === 'replay') {
    await replayLines(app.engine, linesOf(raw));
  } else {
    for (const event of raw) {
      const parsed = parseEnvelope(event);
      for (const input of parsed)
        if (input.kind === 'message') now = Math.max(now, Date.parse(input.message.timestamp));
      await app.engine.deliver(parsed, Date.now() + 30_000);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (fake.violations.length > 0)
    throw new Error(`PutEvents limit violations: ${fake.violations.slice(0, 3).join('; ')}`);
  if (fake.putEvents.some((body) => (body.eventList?.length ?? 0) > 10))
    throw new Error('a PutEvents call carried more than 10 events');
  return {
    putEvents: fake.count('events'),
    getRecommendations: fake.count('recommendations'),
    identify: writer.calls,
    recommendationIdentify: writer.recommendationCalls,
    seconds,
  };
}

/** The events as the JSON lines `touchpoint replay` reads. */
async function* linesOf(raw: readonly Record<string, unknown>[]): AsyncIterable<string> {
  for (const event of raw) yield JSON.stringify(event);
}

/** Tracked events, their (session, user) pairs, identified users and identified tracked events. */
function streamShape(messages: readonly SegmentMessage[], eventTypes: Readonly<Record<string, string>>) {
  const pairs = new Set<string>();
  const users = new Set<string>();
  let tracked = 0;
  let identifiedTracked = 0;
  for (const message of messages) {
    if (message.userId) users.add(message.userId);
    if (message.type !== 'track' || !eventTypes[message.event]) continue;
    tracked++;
    if (message.userId) identifiedTracked++;
    pairs.add(JSON.stringify([message.anonymousId ?? message.userId, message.userId ?? null]));
  }
  return { tracked, pairs: pairs.size, users: users.size, identifiedTracked };
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

export async function benchPersonalize(): Promise<BenchResult> {
  const raw = generateEvents({ users: USERS, seed: SEED, start: START });
  const messages: SegmentMessage[] = parseEnvelope(raw).flatMap((input) =>
    input.kind === 'message' ? [input.message] : [],
  );
  const fake = new FakePersonalize();
  const endpoint = await fake.start();
  fake.recommend = (request) => stableListFor(request.userId ?? '', request.numResults ?? 25);
  try {
    const replay = await runTouchpoint(endpoint, fake, raw, 'replay');
    const identifiedOnly = await runTouchpoint(endpoint, fake, raw, 'replay', {
      PERSONALIZE_RECOMMEND_ANONYMOUS: 'false',
    });
    const lambda = await runTouchpoint(endpoint, fake, raw, 'lambda');

    fake.reset();
    const workshop = await runWorkshopOnLocalPersonalize(endpoint, messages);

    const shape = streamShape(messages, loadConfig({ TOUCHPOINT_STORE: 'memory' }).personalize.eventTypes);
    const per1000 = (calls: number) => Math.round((calls / raw.length) * 1000 * 10) / 10;
    const ratio = (a: number, b: number) => (b === 0 ? Infinity : Math.round((a / b) * 10) / 10);
    const rows: BenchResult['rows'] = [
      { metric: 'workshop: PutEvents', value: per1000(workshop.putEvents), unit: 'calls / 1k events' },
      {
        metric: 'workshop: GetRecommendations',
        value: per1000(workshop.getRecommendations),
        unit: 'calls / 1k events',
      },
      { metric: 'workshop: identify', value: per1000(workshop.identify), unit: 'calls / 1k events' },
      { metric: 'touchpoint replay: PutEvents', value: per1000(replay.putEvents), unit: 'calls / 1k events' },
      {
        metric: 'touchpoint replay: GetRecommendations',
        value: per1000(replay.getRecommendations),
        unit: 'calls / 1k events',
      },
      {
        metric: 'touchpoint replay: identify with recommendations',
        value: per1000(replay.recommendationIdentify),
        unit: 'calls / 1k events',
      },
      {
        metric: 'touchpoint replay: identify, all traits',
        value: per1000(replay.identify),
        unit: 'calls / 1k events',
      },
      {
        metric: 'touchpoint replay, identified users only: GetRecommendations',
        value: per1000(identifiedOnly.getRecommendations),
        unit: 'calls / 1k events',
      },
      { metric: 'touchpoint Lambda: PutEvents', value: per1000(lambda.putEvents), unit: 'calls / 1k events' },
      {
        metric: 'touchpoint Lambda: GetRecommendations',
        value: per1000(lambda.getRecommendations),
        unit: 'calls / 1k events',
      },
      {
        metric: 'touchpoint Lambda: identify with recommendations',
        value: per1000(lambda.recommendationIdentify),
        unit: 'calls / 1k events',
      },
      {
        metric: 'touchpoint Lambda: identify, all traits',
        value: per1000(lambda.identify),
        unit: 'calls / 1k events',
      },
      {
        metric: 'replay: fewer PutEvents',
        value: ratio(workshop.putEvents, replay.putEvents),
        unit: 'x',
        target: '>= 3',
      },
      {
        metric: 'replay: fewer GetRecommendations',
        value: ratio(workshop.getRecommendations, replay.getRecommendations),
        unit: 'x',
        target: '>= 10',
      },
      {
        metric: 'replay: fewer identify (recommendations)',
        value: ratio(workshop.identify, replay.recommendationIdentify),
        unit: 'x',
        target: '>= 5',
      },
      { metric: 'Lambda: fewer PutEvents', value: ratio(workshop.putEvents, lambda.putEvents), unit: 'x' },
      {
        metric: 'Lambda: fewer GetRecommendations',
        value: ratio(workshop.getRecommendations, lambda.getRecommendations),
        unit: 'x',
      },
      {
        metric: 'Lambda: fewer identify (recommendations)',
        value: ratio(workshop.identify, lambda.recommendationIdentify),
        unit: 'x',
      },
    ];
    return {
      section: 'Amazon Personalize calls',
      rows,
      notes: [
        `${raw.length} events from ${USERS} generated users (seed ${SEED}) through replayLines, as \`touchpoint replay\` runs them (the stream fits one ${DEFAULT_WINDOW_SIZE.toLocaleString('en-US')}-event window); Lambda-style = one message per invocation.`,
        'Real SDK clients against the local Personalize fake; no PutEvents call carried more than 10 events or broke a field limit (checked by the fake).',
        'Lambda-style: one message per invocation means one PutEvents per tracked event, as many as the workshop; ' +
          'the 10-per-call batching only helps when one delivery holds several events (replay).',
        'identify with recommendations = write-backs that carried a recommendation trait; "all traits" adds attribution write-backs, ' +
          'which the workshop does not do at all.',
        `Ceilings on this stream: ${shape.tracked} tracked events over ${shape.pairs} (anonymousId, userId) pairs, so perfect batching ` +
          `needs at least ${shape.pairs} PutEvents (${ratio(workshop.putEvents, shape.pairs)}x); ` +
          `${shape.users} identified users make ${shape.identifiedTracked} identified tracked events ` +
          `(${(shape.identifiedTracked / shape.users).toFixed(1)} each), so any policy that gives each active user one fresh list ` +
          `is bounded near ${(shape.identifiedTracked / shape.users).toFixed(1)}x for GetRecommendations and identify. ` +
          'The 3x / 10x / 5x targets need heavier users than the generator makes.',
        `touchpoint replay took ${replay.seconds.toFixed(1)} s, Lambda-style ${lambda.seconds.toFixed(1)} s (in-process, local fake).`,
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
          `${row.metric.padEnd(50)} ${String(row.value).padStart(10)} ${row.unit}${row.target ? `  (target ${row.target})` : ''}`,
        );
      }
      for (const note of result.notes ?? []) console.log(`- ${note}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
