import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createApp, lambdaHandler, type AppOverrides, type LambdaContext } from '../../app';
import { loadConfig } from '../../config';
import type { EventTracker, IdentifyCall, TrackCall, TraitWriter } from '../../pipeline';
import { MemoryStore } from '../../store';
import { identifyParams, trackParams } from '../../writeback';
import { storeLabel } from '../store';
import { commandLogger } from '../logging';
import { defineCommand } from '../types';

/**
 * `touchpoint handle <event.json|->`: one delivery through the Lambda handler's path (the app from
 * createApp, then lambdaHandler with a Lambda-like context, as functions/segment-destination.ts does), to try
 * an event before deploying.
 *
 * By default it is a dry run: the state lives in a memory store, the identify calls are held and
 * printed, and messages for Personalize tracking are counted, not sent (recommendations are still read
 * from a configured campaign or recommender: a read changes nothing). With `--send` it is the real
 * thing on this machine: TOUCHPOINT_STORE, the configured writer (Segment with a write key, else the
 * outbox file) and Personalize as configured.
 */
export const handleCommand = defineCommand({
  name: 'handle',
  summary:
    'run the Lambda handler locally on one event (a dry run unless --send); print its report and the identify calls',
  positionals: [
    {
      name: 'event',
      help: 'a JSON file with one Segment message (or an array, or {"batch": [...]}), or - for stdin',
    },
  ],
  flags: {
    send: {
      type: 'boolean',
      help: 'use TOUCHPOINT_STORE, send identify calls with the configured writer and Personalize events as configured',
    },
  },
  async run({ flags, args }, io) {
    const event = await readEvent(args.event, io.stdin);
    const config = loadConfig(io.env);
    const held = flags.send ? undefined : new HeldWrites();
    const heldTracking = new HeldTracking();
    const overrides: AppOverrides = held
      ? {
          store: new MemoryStore(),
          writer: held,
          // Only in place of a configured tracker: without one, the engine tracks nothing, as in Lambda.
          tracker: config.personalize.trackingId ? heldTracking : undefined,
        }
      : {};
    io.stderr.write(
      `store: ${held ? 'memory (dry run: nothing is kept; --send uses TOUCHPOINT_STORE)' : storeLabel(config.store)}\n`,
    );

    // As in Lambda, the clock runs from the start of the invocation: building the app (a cold start) counts.
    const context = lambdaContext(config.deadlineMs);
    const app = await createApp(io.env, { ...overrides, log: commandLogger(io) });
    try {
      const report = await lambdaHandler(async () => app)(event, context);
      // A Kinesis or SQS event answers batchItemFailures only (what Lambda reads), without counts.
      const deadLettered = 'deadLettered' in report ? report.deadLettered : 0;
      const deadLetters = deadLettered
        ? (await app.pipeline.store.listDeadLetters(deadLettered)).map(({ messageId, reason }) => ({
            messageId,
            reason,
          }))
        : [];
      const { segment } = app.config;
      const output = {
        requestId: context.awsRequestId,
        report,
        ...(deadLetters.length > 0 ? { deadLetters } : {}),
        ...(held
          ? {
              identify: held.calls.map((call) => ({ type: 'identify', ...identifyParams(call) })),
              ...(held.tracks.length > 0
                ? { track: held.tracks.map((call) => ({ type: 'track', ...trackParams(call) })) }
                : {}),
              ...(config.personalize.trackingId ? { personalizeMessagesHeld: heldTracking.tracked } : {}),
            }
          : {
              identifySentTo: segment.writeKey
                ? `Segment (${segment.host})`
                : `the outbox file ${segment.outboxPath}`,
            }),
      };
      io.stdout.write(JSON.stringify(output, null, 2) + '\n');
      return 0;
    } finally {
      await app.close();
    }
  },
});

/** Lambda's context as the handler reads it, with a request id always set. */
export type LocalLambdaContext = LambdaContext & { awsRequestId: string };

/** A context whose time left counts down from `deadlineMs` (TOUCHPOINT_DEADLINE_MS), from now. */
export function lambdaContext(deadlineMs: number): LocalLambdaContext {
  const startedAt = Date.now();
  return {
    awsRequestId: `local-${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + deadlineMs - Date.now()),
  };
}

/** Identify and track calls kept in memory instead of leaving the machine. */
class HeldWrites implements TraitWriter {
  readonly calls: IdentifyCall[] = [];
  readonly tracks: TrackCall[] = [];

  identify(call: IdentifyCall): void {
    this.calls.push(call);
  }

  track(call: TrackCall): void {
    this.tracks.push(call);
  }

  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    return { rejected: [] };
  }

  async close(): Promise<void> {}
}

/** Personalize messages counted instead of leaving the machine. */
class HeldTracking implements EventTracker {
  tracked = 0;

  async track(
    messages: readonly unknown[],
  ): Promise<{ rejected: Array<{ messageId: string; reason: string }> }> {
    this.tracked += messages.length;
    return { rejected: [] };
  }
}

/** The event as JSON, from a file or stdin. */
async function readEvent(path: string, stdin: NodeJS.ReadableStream): Promise<unknown> {
  let text: string;
  if (path === '-') {
    text = '';
    for await (const chunk of stdin as AsyncIterable<Buffer | string>) text += String(chunk);
  } else {
    text = readFileSync(path, 'utf8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(
      `${path === '-' ? 'stdin' : path} is not JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}
