export * from './schema';
export { parseEnvelope, parseMessage, unwrapEnvelope, redact, type ParsedMessage } from './parse';
export { recogniseLambdaEvent, type LambdaEvent, type StreamRecord } from './lambda-event';
