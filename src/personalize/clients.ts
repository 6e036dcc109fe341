import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';

/**
 * SDK clients, created once per container. Endpoints come from the SDK's standard
 * AWS_ENDPOINT_URL_PERSONALIZE_EVENTS / AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME (no code here); `endpoint`
 * exists for tests. Every request is bounded twice: `requestTimeout` with `throwOnRequestTimeout` per
 * attempt (alone, requestTimeout only logs a warning), and the caller's per-call abortSignal for the
 * invocation's remaining budget. Two attempts at most: Segment's own retry is the long-haul backoff.
 */
export interface ClientOptions {
  region: string;
  /** per attempt, default 1500 ms: two attempts fit in Segment's 5 s with room for the rest */
  requestTimeoutMs?: number;
  /** default 2 */
  maxAttempts?: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 1500;
export const DEFAULT_MAX_ATTEMPTS = 2;

function clientConfig(options: ClientOptions) {
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

export function createEventsClient(options: ClientOptions): PersonalizeEventsClient {
  return new PersonalizeEventsClient(clientConfig(options));
}

export function createRuntimeClient(options: ClientOptions): PersonalizeRuntimeClient {
  return new PersonalizeRuntimeClient(clientConfig(options));
}
