export {
  createKinesisClient,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_ATTEMPTS,
  KinesisPublisher,
  MAX_BYTES_PER_CALL,
  MAX_RECORD_BYTES,
  MAX_RECORDS_PER_CALL,
  type KinesisPublisherOptions,
  type PublishSummary,
  type StreamEntry,
} from './publisher';
