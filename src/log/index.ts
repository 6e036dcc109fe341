export {
  createLogger,
  DEFAULT_LOG_SERVICE,
  LOG_LEVELS,
  silentLogger,
  streamSink,
  type EntryLevel,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
  type TextStream,
} from './logger';
export { maskEmails, scrub, scrubText } from './scrub';
