/**
 * One error family keyed to what the platform should do with the event that caused it:
 * - ValidationError: the input is bad; never retry, dead-letter it and acknowledge.
 * - RetryableError: a transient downstream failure; fail the invocation so Segment retries.
 * - ConfigurationError: the deployment is misconfigured; a retry cannot help, say what to fix.
 */

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A one-line description of any thrown value, safe to log (no payloads). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
