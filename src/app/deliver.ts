import { describeError, RetryableError } from '../errors';
import { parseEnvelope } from '../events';
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
  const { config, engine, pipeline } = app;
  const budget =
    options.remainingMs === undefined
      ? config.deadlineMs
      : Math.min(config.deadlineMs, options.remainingMs - SAFETY_MARGIN_MS);
  const started = Date.now();
  const deadlineAt = started + Math.max(0, budget);
  try {
    const report = await engine.deliver(parseEnvelope(input), deadlineAt);
    pipeline.log.info('invocation_done', { requestId: options.requestId, ...report });
    app.metrics?.record(report, { durationMs: Date.now() - started, deadlineExceeded: false });
    return { kind: 'done', report };
  } catch (error) {
    const failedService = serviceOf(error);
    pipeline.log.error('invocation_failed', {
      requestId: options.requestId,
      service: failedService,
      error: describeError(error),
    });
    app.metrics?.record(emptyReport(), {
      durationMs: Date.now() - started,
      deadlineExceeded: Date.now() >= deadlineAt,
      failedService,
    });
    const retry =
      error instanceof RetryableError
        ? error
        : new RetryableError(`unexpected failure, Segment will retry: ${describeError(error)}`, {
            cause: error,
          });
    return { kind: 'retry', error: retry };
  }
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
