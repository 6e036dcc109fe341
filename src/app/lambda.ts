import { recogniseLambdaEvent } from '../events';
import type { BatchReport } from '../pipeline';
import { appOnce, type App } from './compose';
import { deliver, deliverBatch, deliverParsed, type BatchItemFailures } from './deliver';

/** The part of the Lambda context a handler reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/**
 * What the handler answers: the report for a Segment message or an EventBridge event, and for a Kinesis
 * or SQS batch the records to redeliver (ReportBatchItemFailures), nothing else.
 */
export type LambdaResponse = BatchReport | BatchItemFailures;

/**
 * A Lambda handler over `deliver`: the app is built on the first event and kept for the container, the
 * deadline comes from the context, and `retry` becomes a thrown RetryableError so the invocation fails
 * and its source redelivers. It recognises what invoked it: Segment's Lambda destination (a raw
 * message), a Kinesis or SQS event source mapping (a batch, answered with `batchItemFailures`), an
 * EventBridge rule (Segment's EventBridge destination; `detail` is the message); an envelope of any
 * other kind is dead-lettered with a reason naming it. Every Lambda door and `touchpoint handle` run this
 * one function.
 */
export function lambdaHandler(
  loadApp: () => Promise<App>,
): (event: unknown, context?: LambdaContext) => Promise<LambdaResponse> {
  const app = appOnce(loadApp);
  return async (event, context) => {
    const options = {
      remainingMs: context?.getRemainingTimeInMillis(),
      requestId: context?.awsRequestId,
    };
    const recognised = recogniseLambdaEvent(event);
    if (recognised.kind === 'kinesis' || recognised.kind === 'sqs') {
      const { batchItemFailures } = await deliverBatch(await app(), recognised.records, options);
      return { batchItemFailures };
    }
    let outcome;
    if (recognised.kind === 'segment') outcome = await deliver(await app(), recognised.input, options);
    else if (recognised.kind === 'eventbridge')
      outcome = await deliver(await app(), recognised.message, options);
    else {
      const unknown = { kind: 'invalid', messageId: null, reason: recognised.reason, raw: event } as const;
      outcome = await deliverParsed(await app(), [unknown], options);
    }
    if (outcome.kind === 'retry') throw outcome.error;
    return outcome.report;
  };
}
