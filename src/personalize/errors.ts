/**
 * What to do about an error from a Personalize call. One table, keyed by the exception name the SDK
 * reports (from the `x-amzn-errortype` header or the body's `__type`), tested row by row in
 * test/personalize/errors.test.ts:
 * - `retry`: transient. The invocation fails (RetryableError) and Segment retries; safe because
 *   eventId = messageId and every store write is idempotent.
 * - `reject`: the request itself is bad. That message is dead-lettered with the reason; no throw.
 * - `configuration`: the deployment is wrong (unknown tracker/campaign, missing permission). A retry
 *   cannot help, so nothing is retried: a clear error is logged, the messages are kept as dead letters,
 *   and calls pause for a while instead of hammering AWS.
 */
export type ErrorAction = 'retry' | 'reject' | 'configuration';

export const EXCEPTION_ACTIONS: Readonly<Record<string, ErrorAction>> = Object.freeze({
  ThrottlingException: 'retry',
  TooManyRequestsException: 'retry',
  LimitExceededException: 'retry',
  ProvisionedThroughputExceededException: 'retry',
  RequestLimitExceeded: 'retry',
  ServiceUnavailableException: 'retry',
  ServiceUnavailable: 'retry',
  InternalServerError: 'retry',
  InternalServerException: 'retry',
  InternalFailure: 'retry',
  ResourceInUseException: 'retry',
  TimeoutError: 'retry',
  RequestTimeout: 'retry',
  RequestTimeoutException: 'retry',
  AbortError: 'retry',
  InvalidInputException: 'reject',
  ValidationException: 'reject',
  SerializationException: 'reject',
  ResourceNotFoundException: 'configuration',
  AccessDeniedException: 'configuration',
  UnrecognizedClientException: 'configuration',
  InvalidSignatureException: 'configuration',
  IncompleteSignature: 'configuration',
  MissingAuthenticationToken: 'configuration',
  ExpiredTokenException: 'configuration',
  InvalidClientTokenId: 'configuration',
  CredentialsProviderError: 'configuration',
});

/** Node network failures: the request may never have reached AWS. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** The action for any thrown value: the table first, then the HTTP status, then network codes. */
export function classifyError(error: unknown): ErrorAction {
  if (!(error instanceof Error)) return 'retry';
  const byName = EXCEPTION_ACTIONS[error.name];
  if (byName) return byName;
  const details = error as Error & {
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
    code?: string;
  };
  const status = details.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return 'retry';
  if (status === 401 || status === 403 || status === 404) return 'configuration';
  if (status !== undefined && status >= 400) return 'reject';
  if (details.$fault === 'server') return 'retry';
  if (details.$fault === 'client') return 'reject';
  if (details.code && NETWORK_CODES.has(details.code)) return 'retry';
  // Unknown and unclassified: assume transient, so nothing is dropped; Segment's backoff bounds the retries.
  return 'retry';
}

/** The safe, one-line reason for logs and dead letters: exception name and message, no payload. */
export function errorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  return `${error.name}: ${error.message}`.slice(0, 300);
}

/**
 * After a configuration error, stop calling AWS for `pauseMs` (per container): every message in that
 * window is dead-lettered with the same reason without a request, so a wrong ARN does not turn into a
 * storm of doomed calls. The first call after the pause tries again, so a fixed deployment recovers alone.
 */
export class ConfigurationBreaker {
  private openUntil = 0;
  private reason = '';

  constructor(
    private readonly pauseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The reason while open, else null. */
  openReason(): string | null {
    return this.now() < this.openUntil ? this.reason : null;
  }

  trip(reason: string): void {
    this.openUntil = this.now() + this.pauseMs;
    this.reason = reason;
  }
}
