/**
 * Structured JSON-line logging. Callers pass ids and reasons only, never payloads: Segment messages
 * carry emails, traits and sometimes the source's writeKey. `scrub` is a second line of defence.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** A logger writing one JSON object per line to `sink` (console.error by default, which Lambda captures). */
export function createLogger(
  level: LogLevel,
  sink: (line: string) => void = (line) => console.error(line),
): Logger {
  const write =
    (at: LogLevel) =>
    (event: string, fields: LogFields = {}) => {
      if (RANK[at] < RANK[level]) return;
      sink(JSON.stringify({ level: at, event, ...scrub(fields) }));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = createLogger('silent');

const EMAIL = /[^\s@"]+@[^\s@"]+\.[a-z]{2,}/gi;
const WRITE_KEY = /("?writeKey"?\s*[:=]\s*"?)[^",\s}]+/gi;

/** Masks emails and writeKeys in string fields. */
export function scrub(fields: LogFields): LogFields {
  const clean: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    clean[key] =
      typeof value === 'string' ? value.replace(WRITE_KEY, '$1[redacted]').replace(EMAIL, '[email]') : value;
  }
  return clean;
}
