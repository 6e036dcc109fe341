import {
  changedTraits,
  DEFAULT_URL_PARAMETERS,
  touchCandidateOf,
  toTouch,
  type AttributionOptions,
  type TraitPreset,
  type Traits,
} from '../attribution';
import type { ClassifierOptions } from '../classify';
import type { ConversionSettings } from '../conversion';
import { ValidationError } from '../errors';
import type { ParsedMessage, SegmentMessage, TimestampBounds } from '../events';
import { anonKey, ownerKey, resolveProfile, userKey, type IdentityKey, type Profile } from '../identity';
import type { Logger } from '../log';
import { mapConcurrently } from './concurrently';
import { isOwnWriteBack } from './loop-guard';
import { attributionChangeOf } from './attribution-change';
import { deadLetterOf, loggableId } from './dead-letter';
import { dueCredits, recordConversion, saveCredits, type CreditSend } from './conversions';
import type {
  AttributionChange,
  AttributionPublisher,
  AttributionStore,
  EventTracker,
  IdentifyCall,
  MessageRecord,
  ProfileEnricher,
  ProfileState,
  TraitWriter,
} from './ports';
import { RACED_WRITE } from './ports';
import { computeProfile, profileIdsDigest } from './profile';
import { ProfileLocks } from './profile-locks';
import { emptyReport, type BatchReport } from './report';
import { writeBackMessageId } from './write-back-id';
import { keptInWindow, type DownstreamReads } from './window-message';

export interface PipelineSettings {
  classifier: ClassifierOptions;
  attribution: AttributionOptions;
  traitPreset: TraitPreset;
  /** plausible event times, checked where messages are parsed; default DEFAULT_TIMESTAMP_BOUNDS */
  timestamps?: TimestampBounds;
  /** conversions, their credit models and traits (src/conversion) */
  conversion: ConversionSettings;
  /**
   * What the downstream steps (tracker, enrichers) read of a message's context, traits and page
   * properties, see downstreamReadsOf: a message waiting in a window keeps only that, and none of its
   * other time fields. Undefined (a tracker or enricher that may read anything): the whole message is kept.
   */
  downstreamReads?: DownstreamReads | undefined;
}

/** What the engine works with: its ports, filled by the composition root (src/app). */
export interface Pipeline {
  store: AttributionStore;
  writer: TraitWriter;
  tracker?: EventTracker | undefined;
  enrichers?: readonly ProfileEnricher[] | undefined;
  /** publishes `Attribution Changed` events (EventBridge) when a write-back changes first or last touch */
  publisher?: AttributionPublisher | undefined;
  settings: PipelineSettings;
  clock: () => Date;
  log: Logger;
}

/**
 * The one delivery engine. It owns the order of the steps, for every door:
 * 1. skip messages already done (idempotency by messageId); dead-letter invalid ones, ignore unsupported;
 * 2. apply each message to the store: activity, links, touches, conversions (all idempotent writes);
 * 3. track them downstream (Personalize), once per message, marked per message;
 * 4. recompute each affected profile from stored touches and write back only the traits that changed,
 *    and a `Conversion Attributed` track call for each conversion whose credit changed;
 * 5. mark the messages done, only now that every side effect succeeded, where one is likely to come
 *    again (marksDone).
 * Any transient failure throws before step 5, so a redelivery redoes what is missing and nothing else.
 */
export interface Engine {
  readonly pipeline: Pipeline;
  /** Delivers these messages now: all five steps, within `deadlineAt` (epoch ms). */
  deliver(inputs: readonly ParsedMessage[], deadlineAt: number): Promise<BatchReport>;
  /**
   * A window for bulk work (replay): messages are applied as they come, and their downstream work is
   * completed together, so a profile seen many times is recomputed and written back once per window.
   */
  openWindow(options?: WindowOptions): DeliveryWindow;
}

export interface WindowOptions {
  /**
   * Complete each phase in its own store transaction: tracking commits before the write-back starts, so
   * a write-back that fails does not take the tracking marks down with it and a re-run sends no
   * PutEvents twice. Only for a caller that is the store's one user (a replay); default false.
   */
  transactions?: boolean;
}

/** Messages applied (steps 1-2) whose downstream work (steps 3-5) waits for `complete`. */
export interface DeliveryWindow {
  /**
   * Steps 1 and 2 for these messages; a copy of a message already in the window counts as a duplicate.
   * With `deadlineAt` (epoch ms), the store's waits end by then (default: the store's own bound).
   */
  apply(inputs: readonly ParsedMessage[], deadlineAt?: number): Promise<void>;
  /** Steps 3 to 5 for every message applied since the window opened or last completed. */
  complete(deadlineAt: number): Promise<void>;
  /**
   * Steps 3 to 5 like `complete`, for a door that acknowledges message by message (a Kinesis or SQS
   * batch): a transient failure fails only the messages whose work it stopped (a tracking call's
   * messages, a profile's messages), the others are marked done, and nothing is thrown for them.
   * Failures outside those steps (the store) still throw.
   */
  settle(deadlineAt: number): Promise<WindowSettlement>;
  /** new messages waiting for `complete` */
  readonly pending: number;
  /** identities whose profile may have changed, waiting for `complete` */
  readonly affectedIds: number;
  /** everything this window did so far, across completions */
  readonly report: BatchReport;
}

/** How a settled window ended: the messages done now, and the ones to redeliver with their failure. */
export interface WindowSettlement {
  completed: string[];
  failed: ReadonlyMap<string, Error>;
}

/** Builds the engine over its ports. */
export function createEngine(pipeline: Pipeline): Engine {
  // One per engine, i.e. per container: invocations in flight in one process write a profile back in turn.
  const locks = new ProfileLocks();
  return {
    pipeline,
    async deliver(inputs, deadlineAt) {
      const window = openWindow(pipeline, {}, locks);
      await window.apply(inputs, deadlineAt);
      await window.complete(deadlineAt);
      return window.report;
    },
    openWindow: (options = {}) => openWindow(pipeline, options, locks),
  };
}

/** The window's pending work. */
interface PendingWork {
  fresh: Array<{ message: SegmentMessage; trackedAlready: boolean; publishedAlready: boolean }>;
  /** the identities whose profile may have changed, with the messages that touched each */
  affected: Map<IdentityKey, SegmentMessage[]>;
  /** messageIds applied in this window, so a copy later in the same window counts as a duplicate */
  seen: Set<string>;
}

function emptyWork(): PendingWork {
  return { fresh: [], affected: new Map(), seen: new Set() };
}

function openWindow(
  pipeline: Pipeline,
  { transactions = false }: WindowOptions,
  locks: ProfileLocks,
): DeliveryWindow {
  const report = emptyReport();
  let work = emptyWork();
  const phase: Phase = (run) => (transactions ? pipeline.store.batch(run) : run());
  // Without phase transactions, a tracked message's `personalize` mark is written only when it does not
  // complete (a failure after tracking): a completed one is not sent again, or only when it comes again
  // (marksDone), with the same eventId, which Personalize does not train on twice; and a message
  // lost to a crash in between is sent again the same way. That saves a store write per tracked message
  // (a DynamoDB write request per event).
  const tracked = (): string[] | null => (transactions ? null : []);
  return {
    report,
    get pending() {
      return work.fresh.length;
    },
    get affectedIds() {
      return work.affected.size;
    },
    apply: (inputs, deadlineAt) =>
      withinDeadline(pipeline.store, deadlineAt, () => applyMessages(pipeline, inputs, work, report)),
    complete: (deadlineAt) =>
      withinDeadline(pipeline.store, deadlineAt, async () => {
        await finish(deadlineAt, null);
      }),
    settle: (deadlineAt) => withinDeadline(pipeline.store, deadlineAt, () => finish(deadlineAt, new Map())),
  };

  /**
   * Steps 3 to 5 for the window's messages. Without `failures` (complete) the first transient failure
   * throws; with it (settle) a failure stops only its messages, which are left out of `done`.
   */
  async function finish(deadlineAt: number, failures: Failures): Promise<WindowSettlement> {
    const completed: string[] = [];
    const unmarked = tracked();
    try {
      // A later chunk's PutEvents failure throws too: the chunks tracked before it are marked.
      await trackMessages(pipeline, work, deadlineAt, report, failures, phase, unmarked);
      await phase(async () => {
        await writeBackProfiles(pipeline, work, deadlineAt, report, failures, locks);
        const markDone = marksDone(transactions, failures);
        for (const { message } of work.fresh) {
          if (failures?.has(message.messageId)) continue;
          if (markDone) await pipeline.store.markStep(message.messageId, 'done');
          completed.push(message.messageId);
        }
        report.processed += completed.length;
      });
    } catch (error) {
      await markTracked(pipeline, unmarked ?? []);
      throw error;
    }
    if (failures)
      await markTracked(
        pipeline,
        (unmarked ?? []).filter((messageId) => failures.has(messageId)),
      );
    work = emptyWork();
    return { completed, failed: failures ?? new Map() };
  }
}

/**
 * Whether completed messages are marked `done`: only where they are likely to come again, in a
 * replay (a window with transactions), which is run again after a stop, and in a settled window with
 * failures, whose door sends the batch again from its first failed record (Kinesis). A Lambda, webhook
 * or pixel delivery comes again only when it failed, before any `done`, or in the rare case that the
 * sender did not see it succeed. Such a message is applied again, and that changes nothing: its writes
 * are idempotent, its write-back diffs against the traits saved, its tracking repeats an eventId
 * Personalize does not train on twice. A mark would cost a store write for every event (on DynamoDB, a
 * third of the writes) to spare that.
 */
function marksDone(transactions: boolean, failures: Failures): boolean {
  return transactions || (failures !== null && failures.size > 0);
}

/**
 * Writes the `personalize` marks of tracked messages that will not be marked `done` now, so their
 * redelivery sends no PutEvents again. After a store failure these may fail too: the message is then
 * tracked again on redelivery, with the same eventId.
 */
async function markTracked(pipeline: Pipeline, messageIds: readonly string[]): Promise<void> {
  for (const messageId of messageIds) {
    try {
      await pipeline.store.markStep(messageId, 'personalize');
    } catch {
      // best effort: the failure being handled is the one that is reported
    }
  }
}

/** `work` with the store's waits bounded by the deadline, for a store that needs it (SQLite). */
function withinDeadline<T>(
  store: AttributionStore,
  deadlineAt: number | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return deadlineAt !== undefined && store.withinDeadline ? store.withinDeadline(deadlineAt, work) : work();
}

const MINUTE_MS = 60_000;

/** Steps 1 and 2: adds the new messages to `work`. */
async function applyMessages(
  pipeline: Pipeline,
  inputs: readonly ParsedMessage[],
  work: PendingWork,
  report: BatchReport,
): Promise<void> {
  const { store, log } = pipeline;
  const { fresh, affected, seen } = work;
  const firstNew = fresh.length;

  for (const input of inputs) {
    report.received++;
    if (input.kind === 'ignored') {
      report.ignored++;
      log.info('message_ignored', { messageId: loggableId(input.messageId), reason: input.reason });
      continue;
    }
    if (input.kind === 'invalid') {
      await deadLetter(pipeline, input.messageId, input.reason, input.raw);
      report.deadLettered++;
      continue;
    }
    const { message } = input;
    if (isOwnWriteBack(message, Object.values(pipeline.settings.conversion.traits))) {
      report.ignored++;
      log.debug('message_ignored', {
        messageId: loggableId(message.messageId),
        reason: "touchpoint's own write-back",
      });
      continue;
    }
    if (seen.has(message.messageId)) {
      report.duplicates++; // twice in this window
      continue;
    }
    // A delete records no activity, so its record is read here; another message's is read only when its
    // activity was recorded before (applyMessage).
    const record = message.type === 'delete' ? await store.getMessage(message.messageId) : null;
    if (record?.steps.includes('done')) {
      report.duplicates++; // redelivered after it was marked done
      continue;
    }
    seen.add(message.messageId);
    fresh.push({
      message,
      trackedAlready: record?.steps.includes('personalize') ?? false,
      publishedAlready: record?.steps.includes('attribution-event') ?? false,
    });
  }

  // Entries that turn out done or unstorable leave `fresh` in one pass at the end (a replay run again
  // finds every message done: removing each on its own would shift the window once per message).
  const dropped = new Set<(typeof fresh)[number]>();
  for (const entry of fresh.slice(firstNew)) {
    const { message } = entry;
    // From here on the window holds only what the downstream steps read of it.
    entry.message = keptInWindow(message, pipeline.settings.downstreamReads);
    let applied: Applied;
    try {
      applied = await applyMessage(pipeline, message, report);
    } catch (error) {
      // The store can never hold it (an item over DynamoDB's size limit): keep it aside, go on.
      if (!(error instanceof ValidationError)) throw error;
      dropped.add(entry);
      await deadLetter(pipeline, message.messageId, `store: ${error.message}`, message);
      report.deadLettered++;
      continue;
    }
    if (applied.done) {
      dropped.add(entry);
      report.duplicates++; // redelivered after it was marked done
      continue;
    }
    const { key, record } = applied;
    if (record) {
      entry.trackedAlready = record.steps.includes('personalize');
      entry.publishedAlready = record.steps.includes('attribution-event');
    }
    if (!key) continue;
    const messages = affected.get(key);
    if (messages) messages.push(entry.message);
    else affected.set(key, [entry.message]);
  }
  if (dropped.size > 0) {
    const kept = fresh.filter((entry) => !dropped.has(entry));
    fresh.length = 0;
    fresh.push(...kept);
  }
}

/**
 * What step 2 made of a message: the identity whose profile may have changed, and the message's record
 * when it came before; or `done` when that record says it was completed then.
 */
type Applied = { done: true } | { done: false; key: IdentityKey | null; record: MessageRecord | null };

/** Step 2 for one message. */
async function applyMessage(
  pipeline: Pipeline,
  message: SegmentMessage,
  report: BatchReport,
): Promise<Applied> {
  const { store, settings } = pipeline;
  if (message.type === 'delete') {
    const profile = await resolveProfile(userKey(message.userId as string), store);
    await store.forget(profile.keys);
    return { done: false, key: null, record: null };
  }
  const owner = ownerKey(message);
  const at = message.timestamp;
  // First: whether its activity was recorded before says whether the message came before, and only then
  // is its record read. A redelivery is applied again (every write below is idempotent): the delivery
  // before may have stopped anywhere.
  const record = (await store.recordActivity(owner, at, message.messageId))
    ? null
    : ((await store.getMessage(message.messageId)) ?? { messageId: message.messageId, steps: [] });
  if (record?.steps.includes('done')) return { done: true };
  if (message.anonymousId && message.userId) {
    const user = userKey(message.userId);
    await store.link({ from: anonKey(message.anonymousId), to: user, primary: user, timestamp: at });
  }
  if (message.type === 'alias' && message.userId) {
    // previousId may have been an anonymousId or an older userId; Segment does not say which.
    const user = userKey(message.userId);
    for (const previous of [anonKey(message.previousId), userKey(message.previousId)]) {
      await store.link({ from: previous, to: user, primary: user, timestamp: at });
    }
  }

  const sessionMs = settings.attribution.sessionTimeoutMinutes * MINUTE_MS;
  const atMs = Date.parse(at);
  const candidate = touchCandidateOf(message, settings.classifier);
  if (candidate) {
    const touch = toTouch(message, owner, candidate, keptUrlParameters(settings));
    // Store first, then check: a concurrent event of the same session either sees this touch in its
    // write-back and deletes it (computeProfile: the Direct touches an event continues the session of),
    // or recorded its activity before our check, which then finds it.
    await store.putTouch(touch);
    const sessionStart = new Date(atMs - sessionMs).toISOString();
    const continuesSession =
      touch.direct && (await store.hasActivityBetween(owner, sessionStart, at, message.messageId));
    if (continuesSession) await store.deleteDirectTouches(owner, new Date(atMs - 1).toISOString(), at);
    else if (!record) report.touches++; // a redelivery's touch was counted when it was stored
  }
  await recordConversion(store, message, owner, settings.conversion);
  const key = message.type === 'alias' && message.userId ? userKey(message.userId) : owner;
  return { done: false, key, record };
}

const keptParametersBySettings = new WeakMap<PipelineSettings, ReadonlySet<string>>();

/** The query parameters touch URLs keep: the configured list, and the configured click ids. */
function keptUrlParameters(settings: PipelineSettings): ReadonlySet<string> {
  let kept = keptParametersBySettings.get(settings);
  if (!kept) {
    kept = new Set([
      ...(settings.attribution.urlParameters ?? DEFAULT_URL_PARAMETERS),
      ...Object.keys(settings.classifier.clickIds ?? {}).map((param) => param.toLowerCase()),
    ]);
    keptParametersBySettings.set(settings, kept);
  }
  return kept;
}

/**
 * The messages a transient failure stopped, by messageId, when the caller settles message by message
 * (`settle`); null when any failure must throw (`complete`, `deliver`).
 */
type Failures = Map<string, Error> | null;

/** Runs a step's part as one store transaction when the window asked for them, else as it is. */
type Phase = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * Messages tracked per chunk: each chunk's PutEvents calls are sent, then its messages are marked (in a
 * transaction of its own when the window has them), so a replay killed while tracking re-sends at most
 * one chunk's events when run again, not its whole window's. Large enough that PutEvents still batches
 * a session's events (messages are chunked by device) and the marks commit a few hundred at a time.
 */
export const TRACKING_CHUNK_SIZE = 500;

/** Step 3: send the new messages downstream (Personalize) once each, and mark each one sent. */
async function trackMessages(
  pipeline: Pipeline,
  { fresh }: PendingWork,
  deadlineAt: number,
  report: BatchReport,
  failures: Failures,
  phase: Phase,
  unmarked: string[] | null,
): Promise<void> {
  if (!pipeline.tracker) return;
  const pending = fresh.filter((entry) => !entry.trackedAlready).map((entry) => entry.message);
  // A stable sort by device (Personalize's session), so one session's events share a chunk and calls.
  const byDevice = pending
    .map((message, index) => ({ message, index, device: ownerKey(message) }))
    .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.index - b.index))
    .map((entry) => entry.message);
  for (let start = 0; start < byDevice.length; start += TRACKING_CHUNK_SIZE) {
    const chunk = byDevice.slice(start, start + TRACKING_CHUNK_SIZE);
    await phase(() => trackChunk(pipeline, chunk, deadlineAt, report, failures, unmarked));
  }
}

/**
 * Step 3 for one chunk: its PutEvents calls, then its marks (or, with `unmarked`, their messageIds for
 * the caller to mark only if needed, see openWindow) and dead letters.
 */
async function trackChunk(
  pipeline: Pipeline,
  pending: readonly SegmentMessage[],
  deadlineAt: number,
  report: BatchReport,
  failures: Failures,
  unmarked: string[] | null,
): Promise<void> {
  const tracker = pipeline.tracker as EventTracker;
  let rejected: Array<{ messageId: string; reason: string }>;
  try {
    ({ rejected } = await tracker.track(pending, remaining(deadlineAt)));
  } catch (error) {
    if (!failures) throw error;
    // One PutEvents call may carry any of them: none of them is tracked for sure.
    for (const message of pending) failures.set(message.messageId, asError(error));
    return;
  }
  const rejectedIds = new Set(rejected.map((entry) => entry.messageId));
  for (const entry of rejected) {
    const message = pending.find((candidate) => candidate.messageId === entry.messageId);
    await deadLetter(pipeline, entry.messageId, `personalize: ${entry.reason}`, message);
    report.deadLettered++;
  }
  for (const message of pending) {
    if (rejectedIds.has(message.messageId)) continue;
    if (unmarked) unmarked.push(message.messageId);
    else await pipeline.store.markStep(message.messageId, 'personalize');
  }
}

/** Write-back rounds per batch: the first, and re-checks after concurrent writes. */
const MAX_WRITE_BACK_ROUNDS = 3;

/**
 * Profiles written back per flush. A replay window affects tens of thousands of profiles; computing,
 * sending and saving them a slice at a time keeps one slice's traits and calls in memory, not the
 * window's (the same calls, in the same order, in several flushes).
 */
export const WRITE_BACK_SLICE = 1000;

/** Step 4: write back every affected profile's changed traits (and publish its attribution change). */
async function writeBackProfiles(
  pipeline: Pipeline,
  work: PendingWork,
  deadlineAt: number,
  report: BatchReport,
  failures: Failures,
  locks: ProfileLocks,
): Promise<void> {
  const published = new Set(
    work.fresh.filter((entry) => entry.publishedAlready).map((entry) => entry.message.messageId),
  );
  const resend = new Set<string>();
  for (let round = 1; round <= MAX_WRITE_BACK_ROUNDS; round++) {
    const profiles = await resolveAffected(pipeline, work.affected);
    // A profile with a message that failed is left to the redelivery, and so are its other messages: the
    // redelivery recomputes it with all of them (a trigger among them still refreshes recommendations).
    const due: ProfileEntry[] = [];
    for (const entry of profiles) {
      const failed = failures && entry.messages.find((message) => failures.has(message.messageId));
      if (!failed) {
        due.push(entry);
        continue;
      }
      const error = failures.get(failed.messageId) as Error;
      for (const message of entry.messages)
        if (!failures.has(message.messageId)) failures.set(message.messageId, error);
    }
    for (const enricher of pipeline.enrichers ?? []) await enricher.observe?.(due);
    let written = 0;
    for (let start = 0; start < due.length; start += WRITE_BACK_SLICE) {
      const slice = due.slice(start, start + WRITE_BACK_SLICE);
      // Held from computing the traits to saving them: a profile's write-back diffs against the state the
      // previous one saved, never against the same state as a write-back still in flight.
      written += await locks.withKeys(
        slice.map((entry) => entry.profile.target),
        deadlineAt,
        () => writeBackRound(pipeline, slice, deadlineAt, report, { failures, published, resend }),
      );
    }
    // With concurrent writers (DynamoDB under parallel invocations), another invocation may have stored a
    // touch or a link after this one read its snapshot. Re-resolving and recomputing after our own save
    // (or deletion of a touch) closes that window: whoever writes last also reads last. A save that lost
    // to another writer's (RACED_WRITE) makes that recompute send every trait.
    if (written === 0 || !pipeline.store.concurrentWriters) return;
  }
}

/** The profiles behind the affected ids (several ids may share one), with the messages that touched each. */
async function resolveAffected(
  pipeline: Pipeline,
  affected: Map<IdentityKey, SegmentMessage[]>,
): Promise<Array<{ profile: Profile; messages: SegmentMessage[] }>> {
  const profiles = new Map<IdentityKey, { profile: Profile; messages: SegmentMessage[] }>();
  for (const [key, messages] of affected) {
    const profile = await resolveProfile(key, pipeline.store);
    const entry = profiles.get(profile.target) ?? { profile, messages: [] };
    entry.messages.push(...messages);
    profiles.set(profile.target, entry);
  }
  return [...profiles.values()];
}

/**
 * Profiles whose traits are computed at once: their store reads and recommendation calls (network, with
 * Personalize) overlap, so a replay window's thousands of profiles do not wait for each other in turn.
 */
const PROFILE_CONCURRENCY = 8;

/** A profile's entry in a write-back round. */
type ProfileEntry = { profile: Profile; messages: SegmentMessage[] };

/**
 * One profile's write-back: its identify call (null when no trait changed), the full traits to save, its
 * attribution change, and the conversions whose credit changed.
 */
type ProfileOutcome = {
  entry: ProfileEntry;
  call: IdentifyCall | null;
  full: Traits;
  /** the profile's ids, as saved with the traits */
  writtenFor: string;
  /** the identify call that wrote the state this one was computed against (ProfileState.writtenBy) */
  replacing: string | null;
  change: AttributionChange | null;
  credits: CreditSend[];
};

/** What a write-back round shares across profiles and rounds. */
type RoundState = {
  failures: Failures;
  published: Set<string>;
  /** conversions to send at a new credit version (see saveCredits) */
  resend: Set<string>;
};

/**
 * Computes each profile's traits, sends the changed ones, publishes the attribution changes, saves the
 * traits; returns how many profiles it wrote. The order matters for redeliveries: traits are saved last,
 * so a failure before that recomputes the same change next time (the identify's messageId depends on
 * the change and the state it replaces, and published changes are marked per message so they are not published twice).
 * A save lands only over the write it was computed against; one that finds another writer's there marks
 * that write RACED_WRITE, since the two identify calls may have reached Segment in either order.
 */
async function writeBackRound(
  pipeline: Pipeline,
  profiles: readonly ProfileEntry[],
  deadlineAt: number,
  report: BatchReport,
  { failures, published, resend }: RoundState,
): Promise<number> {
  const { store, writer } = pipeline;
  const fail = (entry: ProfileEntry, error: unknown) => {
    for (const message of entry.messages) failures?.set(message.messageId, asError(error));
  };
  // Touches deleted as computed (withoutContinuedDirect) count as writes: they call for a re-check too.
  let deletedTouches = 0;
  const outcomes = await mapConcurrently(profiles, PROFILE_CONCURRENCY, async (entry) => {
    const writeBack = async () => {
      const { outcome, deleted } = await profileWriteBack(pipeline, entry, deadlineAt, resend);
      deletedTouches += deleted;
      return outcome;
    };
    if (!failures) return writeBack();
    try {
      return await writeBack();
    } catch (error) {
      fail(entry, error); // an enricher's call (GetRecommendations) failed for this profile only
      return null;
    }
  });
  const calls = outcomes.filter((outcome) => outcome !== null);
  for (const { call, credits } of calls) {
    if (call) writer.identify(call); // in profile order, whatever finished first
    for (const credit of credits) writer.track(credit.call);
  }
  if (calls.length === 0) return deletedTouches;

  let rejected: Array<{ messageId: string }>;
  try {
    ({ rejected } = await writer.flush(remaining(deadlineAt)));
  } catch (error) {
    if (!failures) throw error;
    for (const { entry } of calls) fail(entry, error); // one flush: none of its calls is known delivered
    return deletedTouches;
  }
  const rejectedIds = new Set(rejected.map((call) => call.messageId));
  let written = 0;
  for (const { credits } of calls) {
    const saved = await saveCredits(store, credits, rejectedIds, resend);
    report.creditCalls += saved;
    written += saved;
  }
  const delivered = calls.filter(({ call }) => call !== null && !rejectedIds.has(call.messageId));
  const unpublished = await publishChanges(pipeline, delivered, deadlineAt, { failures, published });
  const now = pipeline.clock().toISOString();
  for (const outcome of delivered) {
    if (unpublished.has(outcome)) {
      fail(outcome.entry, unpublished.get(outcome));
      continue;
    }
    const { target } = outcome.entry.profile;
    const write = { by: (outcome.call as IdentifyCall).messageId, replacing: outcome.replacing };
    if (!(await store.saveWrittenTraits(target, outcome.full, now, outcome.writtenFor, write)))
      await store.markWrittenRaced(target);
    report.identifyCalls++;
    written++;
  }
  return written + deletedTouches;
}

/**
 * Publishes the delivered write-backs' attribution changes not published before, and marks their
 * messages; returns the ones that failed transiently (with `complete`, the first failure throws once
 * every other change is published and marked).
 */
async function publishChanges(
  pipeline: Pipeline,
  delivered: readonly ProfileOutcome[],
  deadlineAt: number,
  { failures, published }: Pick<RoundState, 'failures' | 'published'>,
): Promise<Map<ProfileOutcome, Error>> {
  const unpublished = new Map<ProfileOutcome, Error>();
  const { publisher, store } = pipeline;
  if (!publisher) return unpublished;
  const due = delivered.filter(
    (outcome) => outcome.change && !outcome.change.messageIds.every((id) => published.has(id)),
  );
  if (due.length === 0) return unpublished;
  const { failed } = await publisher.publish(
    due.map((outcome) => outcome.change as AttributionChange),
    remaining(deadlineAt),
  );
  const failedChanges = new Map(failed.map(({ change, error }) => [change, error]));
  for (const outcome of due) {
    const error = failedChanges.get(outcome.change as AttributionChange);
    if (error) {
      unpublished.set(outcome, error);
      continue;
    }
    for (const messageId of outcome.change?.messageIds ?? []) {
      await store.markStep(messageId, 'attribution-event');
      published.add(messageId);
    }
  }
  const first = failed[0];
  if (!failures && first) throw first.error;
  return unpublished;
}

/**
 * One profile's identify call, the full traits to save, and its conversions' changed credits (null when
 * nothing changed), and how many touches computing it deleted (withoutContinuedDirect).
 */
async function profileWriteBack(
  pipeline: Pipeline,
  entry: ProfileEntry,
  deadlineAt: number,
  resend: ReadonlySet<string>,
): Promise<{ outcome: ProfileOutcome | null; deleted: number }> {
  const { profile, messages } = entry;
  // Without touches (server-side-only events) the attribution traits are all null, so only what the
  // enrichers add (recommendations) can be written.
  const applied = messages.map((message) => ({ ownerKey: ownerKey(message), timestamp: message.timestamp }));
  const { attribution, conversions, deletedTouches, newestActivity, state, touches, traits } =
    await computeProfile(pipeline.store, profile, pipeline.settings, applied);
  const result = (outcome: ProfileOutcome | null) => ({ outcome, deleted: deletedTouches });
  const credits = dueCredits(profile.target, conversions, touches, pipeline.settings, resend);
  const enriched: Traits = {};
  for (const enricher of pipeline.enrichers ?? []) {
    Object.assign(
      enriched,
      await enricher.traitsFor({ profile, messages, state, timeoutMs: remaining(deadlineAt) }),
    );
  }
  Object.assign(traits, enriched);
  // A profile that gained an id since its last write to this target (an identify or alias merged it, or
  // this is the first write to a merged profile) sends every trait once, nulls included: Segment may
  // have merged the other ids' profiles, with what was written to them, before or after this write.
  const writtenFor = profileIdsDigest(profile.keys);
  const replacing = state?.writtenBy ?? null;
  const merged = state?.writtenTraits ? state.writtenFor !== writtenFor : profile.keys.length > 1;
  const changed =
    state?.writtenFor === RACED_WRITE
      ? { ...traits }
      : merged
        ? await mergedRewrite(pipeline.store, profile, traits, enriched, state)
        : changedTraits(traits, state?.writtenTraits ?? null);
  if (!changed)
    return result(
      credits.length > 0
        ? { entry, call: null, full: traits, writtenFor, replacing, change: null, credits }
        : null,
    );
  const messageIds = messages.map((message) => message.messageId);
  const timestamp =
    newestActivity ?? (attribution.last ?? attribution.first)?.timestamp ?? pipeline.clock().toISOString();
  const call = {
    target: profile.target,
    traits: changed,
    messageId: writeBackMessageId(profile.target, changed, {
      traits: state?.writtenTraits ?? null,
      at: state?.writtenAt ?? null,
      by: replacing,
    }),
    timestamp,
  };
  const full = { ...(state?.writtenTraits ?? {}), ...traits };
  const change = pipeline.publisher
    ? attributionChangeOf({
        target: profile.target,
        before: state?.writtenTraits ?? null,
        after: full,
        timestamp,
        messageIds,
      })
    : null;
  return result({ entry, call, full, writtenFor, replacing, change, credits });
}

/**
 * The traits a merged profile resends: all of them, except what the enrichers add (recommendation
 * lists) when it equals what was last written to this target and no other id of the profile was ever
 * written a different list: then Segment's merge cannot have replaced it, and resending it would be an
 * identify carrying an unchanged list. The other ids' states are read only in that case.
 */
async function mergedRewrite(
  store: AttributionStore,
  profile: Profile,
  traits: Traits,
  enriched: Traits,
  state: ProfileState | null,
): Promise<Traits> {
  const written = state?.writtenTraits ?? null;
  const unchanged = Object.keys(enriched).filter(
    (name) => written && name in written && !changedTraits({ [name]: enriched[name] ?? null }, written),
  );
  if (unchanged.length === 0) return { ...traits };
  const others = await Promise.all(
    profile.keys.filter((key) => key !== profile.target).map((key) => store.getProfileState(key)),
  );
  // Judged on the lists alone; their companions (updated_at, recommendation_id) go with them.
  const lists = Object.keys(enriched).filter((name) => Array.isArray(enriched[name]));
  const overwritable = lists.some((name) =>
    others.some((other) => {
      const theirs = other?.writtenTraits?.[name];
      return theirs !== undefined && changedTraits({ [name]: theirs }, written) !== null;
    }),
  );
  const rewrite = { ...traits };
  if (!overwritable) for (const name of unchanged) delete rewrite[name];
  return rewrite;
}

/**
 * Keeps a message that cannot be processed (bounded, without credentials, one row per message) and
 * logs its id and reason only. A dead letter the store cannot hold is kept without its payload.
 */
async function deadLetter(
  pipeline: Pipeline,
  messageId: string | null,
  reason: string,
  raw: unknown,
): Promise<void> {
  const letter = deadLetterOf({ raw, messageId, reason, at: pipeline.clock().toISOString() });
  try {
    await pipeline.store.addDeadLetter(letter);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await pipeline.store.addDeadLetter({
      ...letter,
      payload: null,
      note: `payload not kept: ${error.message}`,
    });
  }
  pipeline.log.warn('message_dead_lettered', { messageId: loggableId(messageId), reason, note: letter.note });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function remaining(deadlineAt: number): number {
  return Math.max(0, deadlineAt - Date.now());
}
