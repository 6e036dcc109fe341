import { createHash } from 'node:crypto';
import { isRecord, keepPayload } from '../events';
import { anonKey, userKey, type IdentityKey } from '../identity';
import type { DeadLetter, DeadLetterFilter } from './ports';

/** Longer messageIds are kept cut to this length, and keyed by their hash. */
const MAX_MESSAGE_ID_CHARS = 1024;
/** Keys hold the messageId itself up to this length (DynamoDB sort keys take 1,024 bytes). */
const MAX_ID_IN_KEY = 256;
/** Ids longer than this are not ids; ids in logs stay short either way. */
const LOGGABLE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** All digits (after an optional +) and long enough to be a phone number: logged as a hash. */
const PHONE_LIKE = /^\+?\d{7,}$/;

/**
 * The dead letter for a raw message that could not be processed: its payload bounded and without
 * credentials (src/events/keep.ts), keyed so every retry of the same message replaces one row, with the
 * ids it names so Segment `delete` forgets it. Never throws, whatever `raw` is.
 */
export function deadLetterOf(input: {
  raw: unknown;
  messageId: string | null;
  reason: string;
  at: string;
}): DeadLetter {
  const { payload, note } = keepPayload(input.raw);
  const messageId = input.messageId?.slice(0, MAX_MESSAGE_ID_CHARS) ?? null;
  return {
    at: input.at,
    key: deadLetterKey(input.messageId, payload),
    messageId,
    reason: input.reason,
    payload,
    note,
    owners: ownersOf(input.raw),
  };
}

/** `msg:<messageId>`; a hash of a very long messageId, or of the kept payload when there is none. */
function deadLetterKey(messageId: string | null, payload: unknown): string {
  if (messageId !== null && messageId.length <= MAX_ID_IN_KEY) return `msg:${messageId}`;
  if (messageId !== null) return `msg-sha256:${sha256(messageId)}`;
  return `payload-sha256:${sha256(JSON.stringify(payload) ?? 'null')}`;
}

/** The ids a raw message names, as store keys (what `forget` matches). */
function ownersOf(raw: unknown): IdentityKey[] {
  if (!isRecord(raw)) return [];
  const owners: IdentityKey[] = [];
  const text = (value: unknown) =>
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
      ? String(value).trim().slice(0, MAX_MESSAGE_ID_CHARS)
      : '';
  const userId = text(raw.userId);
  const anonymousId = text(raw.anonymousId);
  if (userId) owners.push(userKey(userId));
  if (anonymousId) owners.push(anonKey(anonymousId));
  return owners;
}

/**
 * A messageId as logs may carry it: itself when it looks like an id (letters, digits, `-_.:`, up to 128,
 * not a phone number), else `#` and a short hash, since an invalid message's messageId can be anything
 * (an email, a phone number, a whole payload).
 */
export function loggableId(messageId: string | null): string | null {
  if (messageId === null) return null;
  if (LOGGABLE_ID.test(messageId) && !PHONE_LIKE.test(messageId)) return messageId;
  return `#${sha256(messageId).slice(0, 12)}`;
}

/** Whether `letter` is one `filter` takes. */
export function matchesDeadLetterFilter(letter: DeadLetter, filter: DeadLetterFilter = {}): boolean {
  if (filter.since !== undefined && letter.at < filter.since) return false;
  if (filter.reason !== undefined && !letter.reason.toLowerCase().includes(filter.reason.toLowerCase()))
    return false;
  return true;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}
