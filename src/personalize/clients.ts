import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { boundedClientConfig, type BoundedClientOptions } from '../aws/client-config';

/**
 * SDK clients, created once per container. Endpoints come from the SDK's standard
 * AWS_ENDPOINT_URL_PERSONALIZE_EVENTS / AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME (no code here); every
 * request is bounded per attempt and by the caller's abortSignal (see boundedClientConfig).
 */
export type ClientOptions = BoundedClientOptions;

export function createEventsClient(options: ClientOptions): PersonalizeEventsClient {
  return new PersonalizeEventsClient(boundedClientConfig(options));
}

export function createRuntimeClient(options: ClientOptions): PersonalizeRuntimeClient {
  return new PersonalizeRuntimeClient(boundedClientConfig(options));
}
