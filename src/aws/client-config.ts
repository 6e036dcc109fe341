/**
 * Settings for an AWS SDK client called inside an invocation: `endpoint` and `credentials` exist for
 * tests (otherwise the SDK's AWS_ENDPOINT_URL_<SERVICE> and credential chain apply).
 */
export interface BoundedClientOptions {
  region: string;
  /** per attempt, default 1500 ms: two attempts fit in Segment's 5 s with room for the rest */
  requestTimeoutMs?: number;
  /** default 2: Segment's own retry is the long-haul backoff */
  maxAttempts?: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 1500;
export const DEFAULT_MAX_ATTEMPTS = 2;

/**
 * The client configuration every call in the event path uses: each attempt bounded by `requestTimeout`
 * with `throwOnRequestTimeout` (alone, requestTimeout only logs a warning), at most two attempts. The
 * caller's abortSignal bounds the whole call by the invocation's remaining time.
 */
export function boundedClientConfig(options: BoundedClientOptions) {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout,
      connectionTimeout: Math.min(requestTimeout, 1000),
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}
