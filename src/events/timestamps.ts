/**
 * Plausibility bounds for event times. JavaScript dates reach ±275,760 years and ISO strings of years
 * past 9999 or before 0 grow a sign and extra digits, so an unchecked timestamp can throw later
 * (`Invalid time value` once session minutes are added to 8.64e15) or sort wrongly as text ("+010000-..."
 * before "2026-..."). Bounding every accepted time to a few decades keeps each stored timestamp in the
 * one fixed-width form `YYYY-MM-DDTHH:mm:ss.sssZ`, so comparing them as text (SQLite, DynamoDB sort
 * keys) is comparing them as instants.
 */
export interface TimestampBounds {
  /** the earliest plausible event time, ISO-8601; default 2000-01-01T00:00:00.000Z */
  earliest: string;
  /** how far (hours) an event may lie after the message's receivedAt/sentAt (or now); default 24 */
  futureToleranceHours: number;
}

/** The defaults (src/config/settings.ts states them again for the environment). */
export const DEFAULT_TIMESTAMP_BOUNDS: TimestampBounds = Object.freeze({
  earliest: '2000-01-01T00:00:00.000Z',
  futureToleranceHours: 24,
});

const HOUR_MS = 3_600_000;

/** Canonical UTC with milliseconds, what analytics.js and Segment send; days 29-31 take the slow path. */
const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The ISO-8601 UTC string (with milliseconds) for a date, or null when it is not a date. */
export function toIsoTimestamp(value: string | number): string | null {
  if (typeof value === 'string' && CANONICAL_ISO.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The instant (epoch ms) of a Segment date field, or null when it is absent or not a date. */
function instantOf(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Why `iso` (an accepted event time, from `field`) is implausible for a message with these `receivedAt`
 * and `sentAt` values, or null when it is within bounds. The upper bound is `futureToleranceHours` after
 * receivedAt (else sentAt, else `now`), never later than after `now`: a client clock may run ahead, but
 * not by years. The reason names the field, never its value (values may be anything, PII included).
 */
export function implausibleTime(
  field: string,
  iso: string,
  message: { receivedAt?: unknown; sentAt?: unknown },
  bounds: TimestampBounds,
  now: number,
): string | null {
  const at = Date.parse(iso);
  if (at < Date.parse(bounds.earliest)) return `${field}: before ${bounds.earliest}`;
  const reference = Math.min(instantOf(message.receivedAt) ?? instantOf(message.sentAt) ?? now, now);
  if (at > reference + bounds.futureToleranceHours * HOUR_MS) {
    return `${field}: more than ${bounds.futureToleranceHours} h after receivedAt/sentAt`;
  }
  return null;
}
