import type { BatchReport } from '../pipeline';
import { appOnce, type App } from './compose';
import { deliver } from './deliver';

/** The part of the Lambda context a handler reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/**
 * A Lambda handler over `deliver`: the app is built on the first event and kept for the container, the
 * deadline comes from the context, and `retry` becomes a thrown RetryableError so the invocation fails
 * and its source redelivers. Every Lambda door and `touchpoint handle` run this one function.
 */
export function lambdaHandler(
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
