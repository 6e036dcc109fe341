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

/** The input can never succeed as it is: retrying it only repeats the refusal, so it is dead-lettered. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly service: string | undefined;
  constructor(message: string, options?: FailureOptions) {
    super(message, options);
    this.service = options?.service;
  }
}

/** A transient downstream failure: failing the invocation makes Segment redeliver the event later. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly service: string | undefined;
  constructor(message: string, options?: FailureOptions) {
    super(message, options);
    this.service = options?.service;
  }
}

/** The deployment is wrong (a missing table, role or variable); the message says what to fix. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  readonly service: string | undefined;
  constructor(message: string, options?: FailureOptions) {
    super(message, options);
    this.service = options?.service;
  }
}
