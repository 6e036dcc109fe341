import type { Touch, Traits } from '../attribution';
import type { Conversion, CreditMark } from '../conversion';
import type { SegmentMessage } from '../events';
import type { IdentityKey, IdentityLink, LinkReader, Profile } from '../identity';

/**
 * The engine's ports: what it needs from the outside world, and nothing about how it is provided.
 * Adapters (src/store, src/writeback, src/personalize) implement these types and import them from here;
 * the engine never imports an adapter. test/architecture/imports.test.ts keeps that direction.
 */

/**
 * Side effects a message goes through. A message is only `done` when every one of them succeeded; a
 * redelivery after a partial failure redoes the idempotent store writes and skips the steps already marked.
 */
export type MessageStep = 'personalize' | 'attribution-event' | 'done';

/** What the store remembers of a message (the idempotency record). */
export interface MessageRecord {
  messageId: string;
  steps: MessageStep[];
}

/**
 * A message that could not be processed, kept for inspection and replay: one row per message however
 * often it is retried (a redelivery that fails again replaces the row).
 */
export interface DeadLetter {
  /** when it was (last) dead-lettered, ISO-8601 */
  at: string;
  /** what makes it one row: `msg:<messageId>`, or a hash of the payload (or of a very long id) */
  key: string;
  /** the messageId as sent, as a string (numeric ids too), or null when there was none */
  messageId: string | null;
  /** why; it names fields, never their values */
  reason: string;
  /** the message as received, bounded in depth and size and without credential-like keys */
  payload: unknown;
  /** what was cut from the payload to keep it (depth, size), or null when it is whole */
  note: string | null;
  /** the ids it names (userId, anonymousId): Segment `delete` forgets their dead letters too */
  owners: IdentityKey[];
}

/** Which dead letters a listing, replay or purge takes (`touchpoint dead-letters --since/--reason`). */
export interface DeadLetterFilter {
  /** ISO-8601: only those dead-lettered at or after it */
  since?: string | undefined;
  /** only those whose reason contains this text (case-insensitive) */
  reason?: string | undefined;
}

/** Recommendations cached per profile target (see src/personalize). */
export interface CachedRecommendations {
  items: string[];
  recommendationId: string | null;
  /** ISO-8601, when they were fetched */
  fetchedAt: string;
  /** `personalize` or `local-fallback` */
  origin: string;
  /** the item a related-items list was asked for */
  itemId?: string;
}

/** A target whose traits were written back, and when (see AttributionStore.recentProfiles). */
export interface RecentProfile {
  target: IdentityKey;
  /** ISO-8601, when its traits were last written */
  writtenAt: string;
}

/**
 * Which identify call a save of written traits records (`by`, its messageId), and which one it was
 * computed against (`replacing`: the state's writtenBy as read, null when there was none).
 */
export interface WrittenBy {
  by: string;
  replacing?: string | null;
}

/**
 * ProfileState.writtenFor after a save lost to another writer's (see markWrittenRaced): their identify
 * calls may have reached Segment in either order, so the written traits say nothing sure of Segment's.
 * It matches no digest, and the next write-back sends every trait.
 */
export const RACED_WRITE = 'raced';

/** Per-target state: what was last written to Segment, and the recommendation cache. */
export interface ProfileState {
  writtenTraits: Traits | null;
  writtenAt: string | null;
  recommendations: CachedRecommendations | null;
  /**
   * Which ids the profile had when its traits were last written (a digest, see profileIdsDigest); when
   * the ids change, the profile was merged and its next write-back sends every trait (so it does after
   * RACED_WRITE). Absent when never written with one.
   */
  writtenFor?: string;
  /** the messageId of the identify call that wrote `writtenTraits` (see WrittenBy); absent before one */
  writtenBy?: string;
  /** the related-items list (PERSONALIZE_RELATED_*), cached like `recommendations` */
  relatedRecommendations?: CachedRecommendations | null;
}

/**
 * Persistence for attribution. Every write is idempotent (keyed by messageId or by the ids involved),
 * so redelivered, reordered and concurrent messages converge on the same state. Implementations:
 * memory (tests), SQLite (embedded default), DynamoDB (production). All pass test/store/conformance.ts.
 */
export interface AttributionStore extends LinkReader {
  /**
   * True when other processes may write the same profiles at the same time (DynamoDB behind parallel
   * Lambda invocations): the engine then re-checks each profile after saving its write-back.
   */
  readonly concurrentWriters?: boolean;
  /**
   * The most documents one writeRecommenderDocs call may write (default MAX_RECOMMENDER_WRITES, DynamoDB's
   * transaction limit). A store that writes any number atomically says more, so a replay window's lessons
   * write each shared document (popularity, a popular item) once per window instead of once per few lessons.
   */
  readonly maxRecommenderWrites?: number;

  /** The idempotency record of a message, or null if it was never seen. */
  getMessage(messageId: string): Promise<MessageRecord | null>;
  /** Records that a step of a message succeeded (creating the record if needed). */
  markStep(messageId: string, step: MessageStep): Promise<void>;

  /**
   * Records that `ownerKey` had an event at `timestamp` (idempotent by messageId); false when it was
   * recorded before: the message came again. A message's steps are marked only after its activity was
   * recorded, so when this returns true there is no record of it to read (getMessage), unless it came
   * before with another timestamp (then it is applied again, which stores nothing twice).
   */
  recordActivity(ownerKey: IdentityKey, timestamp: string, messageId: string): Promise<boolean>;
  /** True when `ownerKey` has an event in [from, to) other than `exceptMessageId`. */
  hasActivityBetween(
    ownerKey: IdentityKey,
    from: string,
    to: string,
    exceptMessageId: string,
  ): Promise<boolean>;
  /** The newest event timestamp over the given ids, or null. */
  newestActivity(keys: readonly IdentityKey[]): Promise<string | null>;

  /**
   * Stores a touch (idempotent by messageId). A message that came again with another timestamp keeps
   * its earliest, whichever came first (docs/attribution.md §7).
   */
  putTouch(touch: Touch): Promise<void>;
  /** Deletes `ownerKey`'s Direct touches with after < timestamp <= until; returns how many. */
  deleteDirectTouches(ownerKey: IdentityKey, after: string, until: string): Promise<number>;
  /** Every touch owned by the given ids, in any order. */
  touchesOf(keys: readonly IdentityKey[]): Promise<Touch[]>;

  /** Links two ids (idempotent; an existing link keeps its earliest timestamp). */
  link(link: IdentityLink): Promise<void>;

  getProfileState(target: IdentityKey): Promise<ProfileState | null>;
  /**
   * Saves what was written to `target`, when, and for which ids (`writtenFor`, kept when given). With
   * `write.replacing`, only if the state still holds that write (or already holds `write.by`): returns
   * false, saving nothing, when another writer saved in between. True when saved.
   */
  saveWrittenTraits(
    target: IdentityKey,
    traits: Traits,
    at: string,
    writtenFor?: string,
    write?: WrittenBy,
  ): Promise<boolean>;
  /**
   * Marks `target`'s written traits raced (writtenFor RACED_WRITE), keeping the rest: a write-back's
   * conditional save found another writer's write in its place.
   */
  markWrittenRaced(target: IdentityKey): Promise<void>;
  saveRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void>;
  /**
   * The targets whose traits were written most recently, newest `writtenAt` first, at most `limit`
   * (the web view's newest profiles; its channel chart is computed from them). DynamoDB answers it with a
   * Scan: its cost grows with the table, so it is for inspection, never for the delivery path.
   */
  recentProfiles(limit: number): Promise<RecentProfile[]>;

  /**
   * Keeps a dead letter, replacing the one with the same `key`.
   * @throws ValidationError when the backend cannot hold it (DynamoDB's 400 KB item limit)
   */
  addDeadLetter(entry: DeadLetter): Promise<void>;
  /** Newest first, at most `limit`, those `filter` takes (all without one). */
  listDeadLetters(limit: number, filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Deletes the dead letters with these keys; returns how many there were. */
  removeDeadLetters(keys: readonly string[]): Promise<number>;

  /**
   * Deletes everything stored about these ids (Segment `delete` / GDPR), their dead letters and activity
   * included, keeping the records of message steps (keyed by messageId alone). Their activity gone, a
   * message of theirs that comes again is recorded as new (recordActivity) and applied again.
   */
  forget(keys: readonly IdentityKey[]): Promise<void>;

  /**
   * Runs `work` as one unit where the backend can (a SQLite transaction for a replay chunk, which is what
   * makes bulk replay fast); others just run it. `work` must not interleave with other store users.
   */
  batch<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;

  /** Caches the related-items list (ProfileState.relatedRecommendations) beside the other one. */
  saveRelatedRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void>;

  /**
   * The local fallback recommender's documents (src/personalize/local-fallback.ts), by key; missing
   * keys are absent from the map. Reads are strongly consistent.
   */
  readRecommenderDocs(keys: readonly string[]): Promise<Map<string, RecommenderDoc>>;
  /**
   * Writes these documents atomically: every write lands, or none does. `conflict` (nothing written)
   * when a document's version is no longer `expectedVersion` (0 = must not exist yet): re-read and try
   * again. At most `maxRecommenderWrites` writes per call. `forget(keys)` also deletes the documents
   * `recommenderDeviceDoc(key)` of those keys.
   */
  writeRecommenderDocs(writes: readonly RecommenderWrite[]): Promise<'applied' | 'conflict'>;

  /**
   * Runs one delivery's `work` with the store's lock waits bounded by its deadline (epoch ms); a wait
   * that reaches it throws RetryableError. For a store whose waits nothing else bounds (SQLite's busy
   * timeout); stores whose calls carry their own timeouts leave it out.
   */
  withinDeadline?<T>(deadlineAt: number, work: () => Promise<T>): Promise<T>;

  /**
   * Stores a conversion (idempotent by messageId: a conversion already stored keeps what it has,
   * including the credit last sent; an uncredited one that came again with an earlier timestamp takes
   * it, as a touch does). Owned like a touch, and forgotten with its owner.
   */
  putConversion(conversion: Conversion): Promise<void>;
  /** Every conversion owned by the given ids, with the credit last sent for each, in any order. */
  conversionsOf(keys: readonly IdentityKey[]): Promise<Conversion[]>;
  /**
   * touchesOf, conversionsOf and newestActivity in one go, for a store that reads them with fewer requests
   * (DynamoDB: one Query per id instead of three, since all three live in the id's partition); the others
   * leave it out.
   */
  profileInputsOf?(
    keys: readonly IdentityKey[],
  ): Promise<{ touches: Touch[]; conversions: Conversion[]; newestActivity: string | null }>;
  /**
   * Records the credit sent for a conversion, only if the credit stored is still `conversion.credited`
   * (compare-and-set by version); returns false when another writer recorded one meanwhile.
   */
  saveConversionCredit(conversion: Conversion, mark: CreditMark): Promise<boolean>;
  /**
   * Every conversion stored, in any order (`touchpoint report`). DynamoDB answers it with a Scan: its cost
   * grows with the table, so it is for offline reporting, never for the delivery path.
   */
  listConversions(): Promise<Conversion[]>;
}

/** One of the local recommender's documents: a JSON value and a version that grows by 1 per write. */
export interface RecommenderDoc {
  version: number;
  value: unknown;
}

/** A conditional write of a recommender document (see AttributionStore.applyRecommenderLesson). */
export interface RecommenderWrite {
  key: string;
  /** the version read; 0 when the document did not exist */
  expectedVersion: number;
  value: unknown;
  /** a record that may be deleted after 30 days (DynamoDB TTL), like the idempotency records */
  expires?: boolean;
}

/** Writes per writeRecommenderDocs call by default (DynamoDB's TransactWriteItems limit). */
export const MAX_RECOMMENDER_WRITES = 100;

/** How the keys of recommenderDeviceDoc begin. */
export const RECOMMENDER_DEVICE_PREFIX = 'device:';

/** The key of the recommender document about one identity (its items), which `forget` deletes. */
export function recommenderDeviceDoc(key: IdentityKey): string {
  return `${RECOMMENDER_DEVICE_PREFIX}${key}`;
}

/** One identify call that writes traits back to a Segment profile. */
export interface IdentifyCall {
  target: IdentityKey;
  traits: Traits;
  /** deterministic, so a retried write-back is deduplicated by Segment */
  messageId: string;
  /** ISO-8601: the profile's newest event timestamp, so backfills write history-consistent times */
  timestamp: string;
}

/** One track call written back to a Segment profile (`Conversion Attributed`). */
export interface TrackCall {
  target: IdentityKey;
  event: string;
  properties: Record<string, unknown>;
  /** deterministic, so a retried write-back is deduplicated by Segment */
  messageId: string;
  /** ISO-8601 */
  timestamp: string;
}

/**
 * Sends identify and track calls. `identify` and `track` queue; `flush` delivers everything queued
 * within `timeoutMs` and throws RetryableError on a transient failure, so the invocation fails and
 * Segment retries. It returns the calls that were rejected permanently (they are logged, not retried).
 */
export interface TraitWriter {
  identify(call: IdentifyCall): void;
  track(call: TrackCall): void;
  flush(timeoutMs: number): Promise<{ rejected: Array<IdentifyCall | TrackCall> }>;
  close(): Promise<void>;
}

/**
 * Sends events to a downstream system (Amazon Personalize) once per message. Messages it rejects as
 * permanently invalid come back with a reason and are dead-lettered; transient failures throw
 * RetryableError.
 */
export interface EventTracker {
  track(
    messages: readonly SegmentMessage[],
    timeoutMs: number,
  ): Promise<{ rejected: Array<{ messageId: string; reason: string }> }>;
}

/** Adds traits to a profile's write-back (recommendations), given the messages that touched it. */
export interface ProfileEnricher {
  /** sees every affected profile with its messages once per write-back round, before any `traitsFor` */
  observe?(
    profiles: ReadonlyArray<{ profile: Profile; messages: readonly SegmentMessage[] }>,
  ): Promise<void> | void;
  traitsFor(input: {
    profile: Profile;
    messages: readonly SegmentMessage[];
    state: ProfileState | null;
    timeoutMs: number;
  }): Promise<Traits>;
}

/** One side (first or last touch) of an attribution change: the touch's fields as written back, or null. */
export type TouchSnapshot = Traits | null;

/**
 * A profile whose first or last touch changed in a write-back: what an `Attribution Changed` event says.
 * Fields are the written trait names without their prefix (`channel`, `source`, `campaign`, ...).
 */
export interface AttributionChange {
  target: IdentityKey;
  /** which sides changed */
  changed: Array<'firstTouch' | 'lastTouch'>;
  firstTouch: { old: TouchSnapshot; new: TouchSnapshot };
  lastTouch: { old: TouchSnapshot; new: TouchSnapshot };
  /** ISO-8601: the write-back's timestamp (the profile's newest event) */
  timestamp: string;
  /** the messages whose write-back produced it (marked `attribution-event` once it is published) */
  messageIds: string[];
}

/**
 * Publishes attribution changes downstream (EventBridge). Changes rejected permanently are logged by the
 * adapter and dropped; the ones that failed transiently come back with the error, so the engine fails
 * exactly their messages and a redelivery publishes them again.
 */
export interface AttributionPublisher {
  publish(
    changes: readonly AttributionChange[],
    timeoutMs: number,
  ): Promise<{ failed: Array<{ change: AttributionChange; error: Error }> }>;
}
