export * from './schema';
export { parseEnvelope, parseMessage, unwrapEnvelope, redact, type ParsedMessage } from './parse';
