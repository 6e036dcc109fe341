import { describeError, RetryableError } from '../errors';
import { parseEnvelope, type ParsedMessage, type StreamRecord } from '../events';
import { emptyReport, type BatchReport } from '../pipeline';
import type { App } from './compose';

/**
 * What a door does with a delivery: `done` (every message processed, duplicate, ignored or dead-lettered:
 * acknowledge it) or `retry` (a transient failure: the platform must redeliver). Each door maps it to its
 * platform: the Lambda handler throws, a webhook answers 5xx, a stream batch lists its failed items.
 */
export type DeliveryOutcome =
  { kind: 'done'; report: BatchReport } | { kind: 'retry'; error: RetryableError };

export interface DeliveryOptions {
  /** what the platform leaves the call (Lambda's getRemainingTimeInMillis); unset: TOUCHPOINT_DEADLINE_MS */
  remainingMs?: number;
  /** the platform's request id, for the invocation log line */
  requestId?: string;
}

/** Time kept back from the platform's remaining time, to fail cleanly instead of being killed. */
export const SAFETY_MARGIN_MS = 300;

/**
 * Delivers one input (a raw Segment message, an array, `{batch}`, or any of them as a JSON string) through
 * the engine within the deadline, logs the invocation, and maps any failure to `retry`: only a message
 * that was fully processed is acknowledged, whatever went wrong.
 */
export async function deliver(
  app: App,
  input: unknown,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  return deliverParsed(app, parseEnvelope(input, { timestamps: app.pipeline.settings.timestamps }), options);
}

/** `deliver` for messages already parsed at the edge (an EventBridge detail, an unknown envelope). */
export async function deliverParsed(
  app: App,
  messages: readonly ParsedMessage[],
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const { engine, pipeline } = app;
  const started = Date.now();
  const deadlineAt = deadlineOf(app, started, options);
  try {
    const report = await engine.deliver(messages, deadlineAt);
    pipeline.log.info('invocation_done', { requestId: options.requestId, ...report });
    app.metrics?.record(report, { durationMs: Date.now() - started, deadlineExceeded: false });
    return { kind: 'done', report };
  } catch (error) {
    return { kind: 'retry', error: failed(app, error, started, deadlineAt, options) };
  }
}

/** What a Kinesis or SQS batch answers (ReportBatchItemFailures): the records Lambda must redeliver. */
export interface BatchItemFailures {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** The outcome of a stream batch: what to answer Lambda, and what the batch did. */
export interface BatchDeliveryOutcome extends BatchItemFailures {
  report: BatchReport;
}

/**
 * Delivers a Kinesis or SQS batch through one engine window, so PutEvents calls are shared across the
 * batch and each profile is written back once. Outcomes are per record: a record that can never be
 * processed is dead-lettered and acknowledged; a record whose work failed transiently is reported, and
 * with it every later record of the same order key (Kinesis shard, SQS FIFO group), so per-profile order
 * holds; a failure before any message could complete reports every record.
 */
export async function deliverBatch(
  app: App,
  records: readonly StreamRecord[],
  options: DeliveryOptions = {},
): Promise<BatchDeliveryOutcome> {
  const { engine, pipeline } = app;
  const started = Date.now();
  const deadlineAt = deadlineOf(app, started, options);
  const parsed = records.map((record) => parseRecord(app, record));
  const window = engine.openWindow();
  let failedIds: ReadonlySet<string> | 'all';
  let firstError: unknown;
  try {
    await window.apply(parsed.flat(), deadlineAt);
    const { failed } = await window.settle(deadlineAt);
    failedIds = new Set(failed.keys());
    firstError = failed.values().next().value;
  } catch (error) {
    failedIds = 'all';
    firstError = error;
  }
  const failedRecords = recordsToRetry(records, parsed, failedIds);
  const report = window.report;
  if (firstError === undefined) {
    pipeline.log.info('invocation_done', {
      requestId: options.requestId,
      records: records.length,
      ...report,
    });
    app.metrics?.record(report, { durationMs: Date.now() - started, deadlineExceeded: false });
  } else {
    failed(app, firstError, started, deadlineAt, options, report);
    pipeline.log.warn('batch_items_failed', {
      requestId: options.requestId,
      records: records.length,
      retried: failedRecords.length,
    });
  }
  return {
    report,
    batchItemFailures: failedRecords.map(({ itemIdentifier }) => ({ itemIdentifier })),
  };
}

/** A record's messages; a record AWS would not send, or one holding no JSON, is one invalid message. */
function parseRecord(app: App, record: StreamRecord): ParsedMessage[] {
  if (record.problem)
    return [{ kind: 'invalid', messageId: null, reason: record.problem, raw: record.payload }];
  return parseEnvelope(record.payload, { timestamps: app.pipeline.settings.timestamps }).map((message) =>
    message.kind === 'invalid' ? { ...message, reason: `${record.label}: ${message.reason}` } : message,
  );
}

/** The records to report: each with a failed message, then every later record of its order key. */
function recordsToRetry(
  records: readonly StreamRecord[],
  parsed: ReadonlyArray<readonly ParsedMessage[]>,
  failedIds: ReadonlySet<string> | 'all',
): StreamRecord[] {
  const stopped = new Set<string>();
  return records.filter((record, index) => {
    // A record whose id is empty was dead-lettered; reporting "" would fail the whole batch.
    if (record.itemIdentifier === '') return false;
    if (record.orderKey !== null && stopped.has(record.orderKey)) return true;
    const failedHere =
      failedIds === 'all' ||
      (parsed[index] ?? []).some(
        (message) => message.kind === 'message' && failedIds.has(message.message.messageId),
      );
    if (failedHere && record.orderKey !== null) stopped.add(record.orderKey);
    return failedHere;
  });
}

function deadlineOf(app: App, started: number, options: DeliveryOptions): number {
  const budget =
    options.remainingMs === undefined
      ? app.config.deadlineMs
      : Math.min(app.config.deadlineMs, options.remainingMs - SAFETY_MARGIN_MS);
  return started + Math.max(0, budget);
}

/** Logs and counts a failed delivery; returns the RetryableError the platform sees. */
function failed(
  app: App,
  error: unknown,
  started: number,
  deadlineAt: number,
  options: DeliveryOptions,
  report: BatchReport = emptyReport(),
): RetryableError {
  const failedService = serviceOf(error);
  app.pipeline.log.error('invocation_failed', {
    requestId: options.requestId,
    service: failedService,
    error: describeError(error),
  });
  app.metrics?.record(report, {
    durationMs: Date.now() - started,
    deadlineExceeded: Date.now() >= deadlineAt,
    failedService,
  });
  return error instanceof RetryableError
    ? error
    : new RetryableError(`unexpected failure, Segment will retry: ${describeError(error)}`, {
        cause: error,
      });
}

/** The downstream service an adapter named on the error or on one of its causes, if any. */
function serviceOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { service } = current as { service?: unknown };
    if (typeof service === 'string') return service;
    current = current.cause;
  }
  return undefined;
}
