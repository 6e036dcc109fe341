export * from './schema';
export {
  parseEnvelope,
  parseMessage,
  rawMessageId,
  unwrapEnvelope,
  type ParsedMessage,
  type ParseOptions,
} from './parse';
export {
  DEFAULT_KEEP_LIMITS,
  isSecretKey,
  keepPayload,
  maskSecretsInText,
  type KeepLimits,
  type KeptPayload,
} from './keep';
export { DEFAULT_TIMESTAMP_BOUNDS, toIsoTimestamp, type TimestampBounds } from './timestamps';
export { recogniseLambdaEvent, type LambdaEvent, type StreamRecord } from './lambda-event';
