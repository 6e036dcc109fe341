import { describeError } from './describe';
import { ConfigurationError, RetryableError, ValidationError } from './family';

/**
 * What to do about a failed call, whichever service it went to. The adapters turn it into what the
 * platform sees (see each adapter); the meaning is the same everywhere:
 * - `retry`: transient (throttling, 5xx, timeouts, network). The same request succeeds later, and
 *   failing the invocation makes Segment redeliver; safe because every write is idempotent.
 * - `reject`: this request can never succeed as sent (malformed, too large, a condition that said no).
 *   Resending it repeats the refusal, so that one message is dead-lettered or returned.
 * - `configuration`: no request can succeed until the deployment changes (a missing table, tracker or
 *   parameter, a role without permission, bad credentials). A retry cannot help; say what to fix.
 */
export type FailureAction = 'retry' | 'reject' | 'configuration';

/**
 * The services touchpoint calls. A new adapter ('kinesis', 'eventbridge') adds its name here, and a row
 * set in SERVICE_FAILURE_OVERRIDES only for what it names differently from FAILURE_TABLE.
 */
export type FailureService = 'dynamodb' | 'ssm' | 'personalize' | 'segment' | 'kinesis' | 'eventbridge';

/** Rows, consulted in this order: names, codes, statuses. */
export interface FailureTable {
  /** exception names, as `error.name` (AWS SDK v3) or `error.code` (older clients) carries them */
  readonly names: Readonly<Record<string, FailureAction>>;
  /** Node system error codes (`error.code`): the request may never have reached the service */
  readonly codes: Readonly<Record<string, FailureAction>>;
  /** an HTTP status (`'429'`) or a status class (`'5xx'`): the fallback for names no row knows */
  readonly statuses: Readonly<Record<string, FailureAction>>;
}

/**
 * The one table, shared by every service; tested row by row in test/errors/failures.test.ts. A row
 * belongs here when the name means the same for every AWS service (the common errors of the AWS APIs,
 * the SDK's own client-side errors); a name only one service uses goes in SERVICE_FAILURE_OVERRIDES.
 */
export const FAILURE_TABLE: FailureTable = Object.freeze({
  names: Object.freeze({
    // Throttled or busy: the same request succeeds once the load or the update is over.
    ThrottlingException: 'retry',
    TooManyRequestsException: 'retry',
    LimitExceededException: 'retry',
    ProvisionedThroughputExceededException: 'retry',
    RequestLimitExceeded: 'retry',
    ResourceInUseException: 'retry',
    // The service failed.
    InternalServerError: 'retry',
    InternalServerException: 'retry',
    InternalFailure: 'retry',
    ServiceUnavailable: 'retry',
    ServiceUnavailableException: 'retry',
    // No answer in time: the SDK's request timeout, or our abortSignal at the invocation's deadline.
    TimeoutError: 'retry',
    RequestTimeout: 'retry',
    RequestTimeoutException: 'retry',
    AbortError: 'retry',
    // The request itself is bad.
    InvalidInputException: 'reject',
    ValidationException: 'reject',
    SerializationException: 'reject',
    // The deployment: a resource that does not exist, a role without permission, missing or bad credentials.
    ResourceNotFoundException: 'configuration',
    AccessDeniedException: 'configuration',
    UnrecognizedClientException: 'configuration',
    InvalidSignatureException: 'configuration',
    IncompleteSignature: 'configuration',
    MissingAuthenticationToken: 'configuration',
    ExpiredTokenException: 'configuration',
    InvalidClientTokenId: 'configuration',
    CredentialsProviderError: 'configuration',
  }),
  codes: Object.freeze({
    ECONNREFUSED: 'retry',
    ECONNRESET: 'retry',
    ETIMEDOUT: 'retry',
    EPIPE: 'retry',
    ENOTFOUND: 'retry',
    EAI_AGAIN: 'retry',
    EHOSTUNREACH: 'retry',
  }),
  statuses: Object.freeze({
    '400': 'reject',
    '401': 'configuration',
    '403': 'configuration',
    '404': 'configuration',
    '413': 'reject',
    '429': 'retry',
    // Any other client error: the service understood the request and refused it as sent.
    '4xx': 'reject',
    '5xx': 'retry',
  }),
});

/** Where a service names things its own way; each row wins over FAILURE_TABLE for that service only. */
export const SERVICE_FAILURE_OVERRIDES: Readonly<Partial<Record<FailureService, Partial<FailureTable>>>> =
  Object.freeze({
    dynamodb: Object.freeze({
      names: Object.freeze({
        // The condition said no: this write must not happen (the store treats it as control flow).
        ConditionalCheckFailedException: 'reject',
      }),
    }),
    ssm: Object.freeze({
      names: Object.freeze({
        // SEGMENT_WRITE_KEY_PARAMETER names a parameter (or version) this region does not have.
        ParameterNotFound: 'configuration',
        ParameterVersionNotFound: 'configuration',
        // The SecureString's KMS key is gone or not usable by this role.
        InvalidKeyId: 'configuration',
        // src/secrets/ssm-parameter.ts names a request that got no answer (connection refused, reset).
        NetworkError: 'retry',
      }),
    }),
    kinesis: Object.freeze({
      names: Object.freeze({
        // PutRecords per-record codes of a KMS-encrypted stream.
        KMSThrottlingException: 'retry',
        KMSAccessDeniedException: 'configuration',
      }),
    }),
    eventbridge: Object.freeze({
      names: Object.freeze({
        // PutEvents per-entry codes for an entry that can never be accepted as sent.
        MalformedDetail: 'reject',
        InvalidArgument: 'reject',
      }),
    }),
    segment: Object.freeze({
      statuses: Object.freeze({
        // The tracking API itself never answers 404: it comes from a wrong SEGMENT_HOST or a proxy on the
        // way. Failing the invocation keeps the event until that is fixed, as for any unknown failure.
        '404': 'retry',
      }),
    }),
  });

/**
 * The one rule for an error no row knows (no name, code or status matches, or a thrown value that is
 * not an error at all): retry. Failing the invocation keeps the event (Segment redelivers with backoff
 * for up to 4 hours), so nothing is dropped on a guess; a wrong `retry` costs bounded retries, a wrong
 * `reject` loses the event for good.
 */
export const UNKNOWN_FAILURE_ACTION: FailureAction = 'retry';

const merged = new Map<FailureService, FailureTable>();

/** FAILURE_TABLE with the service's overrides applied: every row that classifies its errors. */
export function failureTable(service: FailureService): FailureTable {
  let table = merged.get(service);
  if (!table) {
    const override = SERVICE_FAILURE_OVERRIDES[service] ?? {};
    table = Object.freeze({
      names: Object.freeze({ ...FAILURE_TABLE.names, ...override.names }),
      codes: Object.freeze({ ...FAILURE_TABLE.codes, ...override.codes }),
      statuses: Object.freeze({ ...FAILURE_TABLE.statuses, ...override.statuses }),
    });
    merged.set(service, table);
  }
  return table;
}

/**
 * The table's answer for an error from `service`, or undefined when no row matches. For adapters that
 * leave unrecognised errors as thrown, so their own names stay visible (the handler still retries them,
 * as UNKNOWN_FAILURE_ACTION says); everything else uses failureAction.
 */
export function knownFailureAction(error: unknown, service: FailureService): FailureAction | undefined {
  const table = failureTable(service);
  const { name, code, status } = failureFacts(error);
  return (
    rowOf(table.names, name) ??
    rowOf(table.names, code) ??
    rowOf(table.codes, code) ??
    rowOf(table.statuses, status === undefined ? undefined : String(status)) ??
    rowOf(table.statuses, status === undefined ? undefined : `${Math.floor(status / 100)}xx`)
  );
}

/** What to do about any thrown value from a call to `service`: the table, else UNKNOWN_FAILURE_ACTION. */
export function failureAction(error: unknown, service: FailureService): FailureAction {
  return knownFailureAction(error, service) ?? UNKNOWN_FAILURE_ACTION;
}

/**
 * The touchpoint error for a failed call, so callers throw one family whatever the client library:
 * RetryableError, ValidationError (`reject`) or ConfigurationError, with the failure as `cause`. `what`
 * names the call (`DynamoDB Query on table "tp"`); `advice` says, per action, what the reader should do
 * (the service's own words: "run `touchpoint setup`", "grant the function's role ..."). The message
 * carries describeError's safe description of the failure, never its payload.
 */
export function toTouchpointError(
  error: unknown,
  service: FailureService,
  what: string,
  advice: Readonly<Partial<Record<FailureAction, string>>> = {},
): RetryableError | ValidationError | ConfigurationError {
  const action = failureAction(error, service);
  const reason = describeError(error);
  const fix = advice[action] ? `; ${advice[action]}` : '';
  switch (action) {
    case 'retry':
      return new RetryableError(`${what} failed transiently (${reason})${fix}`, { cause: error, service });
    case 'reject':
      return new ValidationError(`${what} was rejected (${reason})${fix}`, { cause: error, service });
    case 'configuration':
      return new ConfigurationError(
        `${what} failed (${reason})${fix || '; a retry cannot help: fix the deployment'}`,
        { cause: error, service },
      );
  }
}

/** What an error says about itself, wherever the AWS SDK, Node or an HTTP client puts it. */
function failureFacts(error: unknown): { name?: string; code?: string; status?: number } {
  if (typeof error !== 'object' || error === null) return {};
  const fields = error as {
    name?: unknown;
    code?: unknown;
    status?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = [fields.$metadata?.httpStatusCode, fields.statusCode, fields.status].find(
    (value): value is number =>
      Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599,
  );
  return {
    name: typeof fields.name === 'string' ? fields.name : undefined,
    code: typeof fields.code === 'string' ? fields.code : undefined,
    status,
  };
}

/** A row by key; own properties only, so an error named `constructor` or `toString` matches nothing. */
function rowOf(
  rows: Readonly<Record<string, FailureAction>>,
  key: string | undefined,
): FailureAction | undefined {
  return key !== undefined && Object.hasOwn(rows, key) ? rows[key] : undefined;
}
