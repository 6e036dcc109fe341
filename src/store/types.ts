import type { Touch, Traits } from '../attribution';
import type { IdentityKey, IdentityLink, LinkReader } from '../identity';

/**
 * Side effects a message goes through. A message is only `done` when every one of them succeeded; a
 * redelivery after a partial failure redoes the idempotent store writes and skips the steps already marked.
 */
export type MessageStep = 'personalize' | 'done';

/** What the store remembers of a message (the idempotency record). */
export interface MessageRecord {
  messageId: string;
  steps: MessageStep[];
}

/** A message that could not be processed and was kept for inspection and replay. */
export interface DeadLetter {
  /** when it was dead-lettered, ISO-8601 */
  at: string;
  messageId: string | null;
  reason: string;
  /** the message as received, minus `writeKey` */
  payload: unknown;
}

/** Recommendations cached per profile target (see src/personalize). */
export interface CachedRecommendations {
  items: string[];
  recommendationId: string | null;
  /** ISO-8601, when they were fetched */
  fetchedAt: string;
  /** `personalize` or `local-fallback` */
  origin: string;
}

/** Per-target state: what was last written to Segment, and the recommendation cache. */
export interface ProfileState {
  writtenTraits: Traits | null;
  writtenAt: string | null;
  recommendations: CachedRecommendations | null;
}

/**
 * Persistence for attribution. Every write is idempotent (keyed by messageId or by the ids involved),
 * so redelivered, reordered and concurrent messages converge on the same state. Implementations:
 * memory (tests), SQLite (embedded default), DynamoDB (production). All pass test/store/conformance.ts.
 */
export interface AttributionStore extends LinkReader {
  /**
   * True when other processes may write the same profiles at the same time (DynamoDB behind parallel
   * Lambda invocations): the pipeline then re-checks each profile after saving its write-back.
   */
  readonly concurrentWriters?: boolean;

  /** The idempotency record of a message, or null if it was never seen. */
  getMessage(messageId: string): Promise<MessageRecord | null>;
  /** Records that a step of a message succeeded (creating the record if needed). */
  markStep(messageId: string, step: MessageStep): Promise<void>;

  /** Records that `ownerKey` had an event at `timestamp` (idempotent by messageId). */
  recordActivity(ownerKey: IdentityKey, timestamp: string, messageId: string): Promise<void>;
  /** True when `ownerKey` has an event in [from, to) other than `exceptMessageId`. */
  hasActivityBetween(
    ownerKey: IdentityKey,
    from: string,
    to: string,
    exceptMessageId: string,
  ): Promise<boolean>;
  /** The newest event timestamp over the given ids, or null. */
  newestActivity(keys: readonly IdentityKey[]): Promise<string | null>;

  /** Stores a touch (idempotent by messageId). */
  putTouch(touch: Touch): Promise<void>;
  /** Deletes `ownerKey`'s Direct touches with after < timestamp <= until; returns how many. */
  deleteDirectTouches(ownerKey: IdentityKey, after: string, until: string): Promise<number>;
  /** Every touch owned by the given ids, in any order. */
  touchesOf(keys: readonly IdentityKey[]): Promise<Touch[]>;

  /** Links two ids (idempotent; an existing link keeps its earliest timestamp). */
  link(link: IdentityLink): Promise<void>;

  getProfileState(target: IdentityKey): Promise<ProfileState | null>;
  saveWrittenTraits(target: IdentityKey, traits: Traits, at: string): Promise<void>;
  saveRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void>;

  addDeadLetter(entry: DeadLetter): Promise<void>;
  /** Newest first. */
  listDeadLetters(limit: number): Promise<DeadLetter[]>;

  /** Deletes everything stored about these ids (Segment `delete` / GDPR), keeping idempotency records. */
  forget(keys: readonly IdentityKey[]): Promise<void>;

  /**
   * Runs `work` as one unit where the backend can (a SQLite transaction for a replay chunk, which is what
   * makes bulk replay fast); others just run it. `work` must not interleave with other store users.
   */
  batch<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
