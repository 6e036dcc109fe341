export {
  ATTRIBUTION_CHANGED,
  EVENT_SOURCE,
  EventBridgePublisher,
  MAX_BYTES_PER_CALL,
  MAX_ENTRIES_PER_CALL,
  entrySize,
  type AttributionChangedDetail,
  type EventBridgePublisherOptions,
} from './publisher';
export { createEventBridgeClient, type EventBridgeClientOptions } from './client';
