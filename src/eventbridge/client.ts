import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { boundedClientConfig, type BoundedClientOptions } from '../aws/client-config';

/** Client settings; the endpoint comes from the SDK's AWS_ENDPOINT_URL_EVENTBRIDGE unless `endpoint` is set. */
export type EventBridgeClientOptions = BoundedClientOptions;

/** The EventBridge client, created once per container: two SDK attempts, each bounded. */
export function createEventBridgeClient(options: EventBridgeClientOptions): EventBridgeClient {
  return new EventBridgeClient(boundedClientConfig(options));
}
