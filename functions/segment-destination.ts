import { createApp, lambdaHandler } from '../src/app';
import { createInvocationMetrics } from '../src/metrics';

export type { LambdaContext } from '../src/app';

/**
 * Builds a Segment Lambda destination handler. Segment invokes it synchronously with one raw message;
 * arrays, `{batch}` and JSON strings are accepted too. Returns a summary for permanent outcomes
 * (processed, duplicate, ignored, dead-lettered); throws only for transient failures, so Segment retries.
 */
export const createHandler = lambdaHandler;

/**
 * The Lambda entry point: one app per container, built from the environment on the first event, with
 * CloudWatch metrics (EMF) per invocation.
 */
export const handler = createHandler(() => createApp(process.env, { metrics: createInvocationMetrics() }));
