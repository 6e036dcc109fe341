import { loadConfig, type Config } from '../src/config';
import { describeError, RetryableError } from '../src/errors';
import { parseEnvelope } from '../src/events';
import {
  createPipeline,
  processBatch,
  type BatchReport,
  type Pipeline,
  type PipelineOverrides,
} from '../src/pipeline';

/** The part of the Lambda context the handler reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Time kept back from the invocation's remaining time, to fail cleanly instead of being killed. */
const SAFETY_MARGIN_MS = 300;

/**
 * Builds a Segment Lambda destination handler. Segment invokes it synchronously with one raw message;
 * arrays, `{batch}` and JSON strings are accepted too. Returns a summary for permanent outcomes
 * (processed, duplicate, ignored, dead-lettered); throws only for transient failures, so Segment retries.
 */
export function createHandler(
  loadPipeline: () => Promise<{ pipeline: Pipeline; config: Config }>,
): (event: unknown, context?: LambdaContext) => Promise<BatchReport> {
  let ready: Promise<{ pipeline: Pipeline; config: Config }> | undefined;
  return async (event, context) => {
    ready ??= loadPipeline().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const { pipeline, config } = await ready;
    const remaining = context ? context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : config.deadlineMs;
    const deadlineAt = Date.now() + Math.max(0, Math.min(config.deadlineMs, remaining));
    try {
      const report = await processBatch(pipeline, parseEnvelope(event), deadlineAt);
      pipeline.log.info('invocation_done', { requestId: context?.awsRequestId, ...report });
      return report;
    } catch (error) {
      pipeline.log.error('invocation_failed', {
        requestId: context?.awsRequestId,
        error: describeError(error),
      });
      if (error instanceof RetryableError) throw error;
      throw new RetryableError(`unexpected failure, Segment will retry: ${describeError(error)}`, {
        cause: error,
      });
    }
  };
}

/** Builds the pipeline from the environment, once per container. */
export function pipelineFromEnvironment(overrides: PipelineOverrides = {}) {
  return async () => {
    let config = loadConfig();
    if (config.segment.writeKeyParameter && !config.segment.writeKey) {
      // Loaded only when used, so deployments with a plain SEGMENT_WRITE_KEY skip the SSM client at cold start.
      const { resolveSecrets } = await import('../src/config/secrets');
      config = await resolveSecrets(config);
    }
    return { config, pipeline: await createPipeline(config, overrides) };
  };
}

/** The Lambda entry point. */
export const handler = createHandler(pipelineFromEnvironment());
