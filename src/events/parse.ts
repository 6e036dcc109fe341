import { isRecord, segmentMessageSchema, SUPPORTED_TYPES, type SegmentMessage } from './schema';

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

/** Validates one raw message. Never throws: bad input comes back as `invalid` with a readable reason. */
export function parseMessage(raw: unknown): ParsedMessage {
  const messageId = isRecord(raw) && typeof raw.messageId === 'string' ? raw.messageId : null;
  if (typeof raw === 'string') return { kind: 'invalid', messageId, reason: 'not JSON', raw: redact(raw) };
  if (!isRecord(raw))
    return { kind: 'invalid', messageId, reason: `expected an object, got ${describe(raw)}`, raw };
  if (typeof raw.type !== 'string')
    return { kind: 'invalid', messageId, reason: 'missing "type"', raw: redact(raw) };
  if (!(SUPPORTED_TYPES as readonly string[]).includes(raw.type)) {
    return { kind: 'ignored', messageId, reason: `unsupported type "${raw.type.slice(0, 40)}"` };
  }
  const result = segmentMessageSchema.safeParse(raw);
  if (result.success) return { kind: 'message', message: result.data };
  const reason = result.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { kind: 'invalid', messageId, reason, raw: redact(raw) };
}

/** `unwrapEnvelope` then `parseMessage` on each. */
export function parseEnvelope(input: unknown): ParsedMessage[] {
  return unwrapEnvelope(input).map(parseMessage);
}

/** Drops the fields that must never be stored or passed on (Segment may include the source's writeKey). */
export function redact(raw: unknown): unknown {
  if (!isRecord(raw))
    return typeof raw === 'string'
      ? raw.replace(/"writeKey"\s*:\s*"[^"]*"/g, '"writeKey":"[redacted]"')
      : raw;
  const { writeKey: _writeKey, ...rest } = raw;
  return rest;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
