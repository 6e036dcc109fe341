/**
 * One error family keyed to what the platform should do with the event that caused it:
 * - ValidationError: the input is bad; never retry, dead-letter it and acknowledge.
 * - RetryableError: a transient downstream failure; fail the invocation so Segment retries.
 * - ConfigurationError: the deployment is misconfigured; a retry cannot help, say what to fix.
 * ./failures.ts maps what AWS, Node and HTTP clients throw onto this family.
 */

/** What every member of the family may carry: the cause, and the downstream service that failed. */
export interface FailureOptions {
  cause?: unknown;
  /** the service whose call failed (`segment`, `personalize`, `dynamodb`, `ssm`), for metrics and logs */
  service?: string;
}

/** What the members share: the platform action is the class, the message says what to fix. */
abstract class TouchpointError extends Error {
  readonly service: string | undefined;
  constructor(message: string, options?: FailureOptions) {
    super(message, options);
    this.service = options?.service;
  }
}

/** The input can never succeed as it is: retrying it only repeats the refusal, so it is dead-lettered. */
export class ValidationError extends TouchpointError {
  override readonly name = 'ValidationError';
}

/** A transient downstream failure: failing the invocation makes Segment redeliver the event later. */
export class RetryableError extends TouchpointError {
  override readonly name = 'RetryableError';
}

/** The deployment is wrong (a missing table, role or variable); the message says what to fix. */
export class ConfigurationError extends TouchpointError {
  override readonly name = 'ConfigurationError';
}
