import { appOnce, createApp, deliver, type App } from '../src/app';
import { createInvocationMetrics } from '../src/metrics';
import type { BatchReport } from '../src/pipeline';

/** The part of the Lambda context the handler reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/**
 * Builds a Segment Lambda destination handler. Segment invokes it synchronously with one raw message;
 * arrays, `{batch}` and JSON strings are accepted too. Returns a summary for permanent outcomes
 * (processed, duplicate, ignored, dead-lettered); throws only for transient failures, so Segment retries.
 */
export function createHandler(
  loadApp: () => Promise<App>,
): (event: unknown, context?: LambdaContext) => Promise<BatchReport> {
  const app = appOnce(loadApp);
  return async (event, context) => {
    const outcome = await deliver(await app(), event, {
      remainingMs: context?.getRemainingTimeInMillis(),
      requestId: context?.awsRequestId,
    });
    if (outcome.kind === 'retry') throw outcome.error;
    return outcome.report;
  };
}

/**
 * The Lambda entry point: one app per container, built from the environment on the first event, with
 * CloudWatch metrics (EMF) per invocation.
 */
export const handler = createHandler(() => createApp(process.env, { metrics: createInvocationMetrics() }));
