import {
  eventTime,
  isRecord,
  segmentMessageSchema,
  SUPPORTED_TYPES,
  type SegmentMessage,
  type TimeField,
} from './schema';
import { DEFAULT_TIMESTAMP_BOUNDS, implausibleTime, type TimestampBounds } from './timestamps';

/** What the edge made of one raw input message. */
export type ParsedMessage =
  | { kind: 'message'; message: SegmentMessage }
  | { kind: 'ignored'; messageId: string | null; reason: string }
  | { kind: 'invalid'; messageId: string | null; reason: string; raw: unknown };

/**
 * Unwraps whatever arrived into a list of raw messages: one message (what Segment's Lambda destination
 * sends), an array, `{batch: [...]}` (the tracking API's shape), or any of those as a JSON string.
 * A string that is not JSON comes back as itself, to be dead-lettered by `parseMessage`.
 */
export function unwrapEnvelope(input: unknown): unknown[] {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [input];
    }
  }
  if (Array.isArray(value)) return value;
  if (isRecord(value) && Array.isArray(value.batch) && value.type === undefined) return value.batch;
  return [value];
}

/** Options of `parseMessage`: the plausibility bounds of event times, and the clock they are checked with. */
export interface ParseOptions {
  timestamps?: TimestampBounds;
  /** epoch ms; default Date.now */
  now?: () => number;
}

/**
 * Validates one raw message. Never throws: bad input comes back as `invalid` with a readable reason that
 * names the field, never its value (reasons are logged), and the raw input as it arrived (the engine
 * keeps a bounded, secret-free copy of it).
 */
export function parseMessage(raw: unknown, options: ParseOptions = {}): ParsedMessage {
  const messageId = rawMessageId(raw);
  if (typeof raw === 'string') return { kind: 'invalid', messageId, reason: notJsonReason(raw), raw };
  if (!isRecord(raw))
    return { kind: 'invalid', messageId, reason: `expected an object, got ${describe(raw)}`, raw };
  if (typeof raw.type !== 'string') return { kind: 'invalid', messageId, reason: 'missing "type"', raw };
  if (!(SUPPORTED_TYPES as readonly string[]).includes(raw.type)) {
    return { kind: 'ignored', messageId, reason: 'type: not one touchpoint handles' };
  }
  const result = segmentMessageSchema.safeParse(raw);
  if (!result.success) {
    const reason = result.error.issues
      .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    return { kind: 'invalid', messageId, reason, raw };
  }
  const [field] = eventTime(raw as Partial<Record<TimeField, string | number>>);
  const implausible = implausibleTime(
    field,
    result.data.timestamp,
    raw,
    options.timestamps ?? DEFAULT_TIMESTAMP_BOUNDS,
    (options.now ?? Date.now)(),
  );
  if (implausible) return { kind: 'invalid', messageId, reason: implausible, raw };
  return { kind: 'message', message: result.data };
}

/** `unwrapEnvelope` then `parseMessage` on each. */
export function parseEnvelope(input: unknown, options: ParseOptions = {}): ParsedMessage[] {
  return unwrapEnvelope(input).map((raw) => parseMessage(raw, options));
}

/** The messageId as sent, as a string (numeric ids too), or null when there is none. */
export function rawMessageId(raw: unknown): string | null {
  if (!isRecord(raw)) return null;
  const { messageId } = raw;
  if (typeof messageId === 'string') return messageId;
  if (typeof messageId === 'number' && Number.isFinite(messageId)) return String(messageId);
  return null;
}

/** A string where a message was expected: JSON text inside a JSON string says so. */
function notJsonReason(text: string): string {
  try {
    JSON.parse(text);
    return 'double-encoded JSON: a JSON string that holds JSON text, expected the JSON itself';
  } catch {
    return 'not JSON';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
