import { scrub } from './scrub';

/**
 * Structured JSON-line logging in the shape AWS Lambda Powertools Logger writes and Lambda's JSON log
 * format reads: one object per line with `level`, an RFC 3339 `timestamp`, `service` and the `event`
 * name, then the caller's fields. debug/info lines go to stdout and warn/error lines to stderr, so
 * CloudWatch and Lambda's application-log-level filter see each line at its own level (Lambda
 * assigns INFO to a line whose `level` or `timestamp` it cannot read).
 *
 * Callers pass ids and reasons only, never payloads: Segment messages carry emails, traits and
 * sometimes the source's writeKey. Every string field goes through `scrub` as a second line of defence.
 */

/** A threshold: entries below it are dropped; `silent` drops everything. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The level an entry is written at. */
export type EntryLevel = Exclude<LogLevel, 'silent'>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Receives each entry as one JSON line (no trailing newline), with the level it was written at. */
export type LogSink = (line: string, level: EntryLevel) => void;

/** The part of a stream a sink writes to (process.stdout and process.stderr qualify). */
export interface TextStream {
  write(text: string): unknown;
}

/** The `service` every entry names unless `LoggerOptions.service` says otherwise. */
export const DEFAULT_LOG_SERVICE = 'touchpoint';

export interface LoggerOptions {
  /** the `service` field of every entry (default `DEFAULT_LOG_SERVICE`) */
  service?: string;
  /** the clock for `timestamp` (default the system clock) */
  now?: () => Date;
}

/** Keys the logger sets itself; a caller's field of the same name is kept as `field_<name>`. */
const RESERVED = new Set(['level', 'timestamp', 'service', 'event']);

/**
 * A sink following the Lambda convention: debug and info entries to `stdout`, warn and error entries to
 * `stderr`, one line each.
 */
export function streamSink(
  stdout: TextStream = process.stdout,
  stderr: TextStream = process.stderr,
): LogSink {
  return (line, level) => {
    (level === 'warn' || level === 'error' ? stderr : stdout).write(`${line}\n`);
  };
}

/**
 * A logger writing entries at or above `level` to `sink` (by default `streamSink()`: stdout and stderr,
 * which Lambda captures).
 */
export function createLogger(
  level: LogLevel,
  sink: LogSink = streamSink(),
  options: LoggerOptions = {},
): Logger {
  const service = options.service ?? DEFAULT_LOG_SERVICE;
  const now = options.now ?? (() => new Date());
  const write =
    (at: EntryLevel) =>
    (event: string, fields: LogFields = {}): void => {
      if (RANK[at] < RANK[level]) return;
      const entry: LogFields = { level: at, timestamp: now().toISOString(), service, event };
      for (const [key, value] of Object.entries(scrub(fields))) {
        entry[RESERVED.has(key) ? `field_${key}` : key] = value;
      }
      sink(JSON.stringify(entry), at);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = createLogger('silent', () => undefined);
