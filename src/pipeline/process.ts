import {
  attributionTraits,
  changedTraits,
  computeAttribution,
  touchCandidateOf,
  toTouch,
  type AttributionOptions,
  type TraitPreset,
  type Traits,
} from '../attribution';
import type { ClassifierOptions } from '../classify';
import { redact, type ParsedMessage, type SegmentMessage } from '../events';
import { anonKey, ownerKey, resolveProfile, userKey, type IdentityKey, type Profile } from '../identity';
import type { Logger } from '../log';
import type { AttributionStore, ProfileState } from '../store';
import { writeBackMessageId, type IdentifyCall, type TraitWriter } from '../writeback';
import { mapConcurrently } from './concurrently';
import { isOwnWriteBack } from './loop-guard';

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
  observe?(profiles: ReadonlyArray<{ profile: Profile; messages: readonly SegmentMessage[] }>): void;
  traitsFor(input: {
    profile: Profile;
    messages: readonly SegmentMessage[];
    state: ProfileState | null;
    timeoutMs: number;
  }): Promise<Traits>;
}

export interface PipelineSettings {
  classifier: ClassifierOptions;
  attribution: AttributionOptions;
  traitPreset: TraitPreset;
}

export interface Pipeline {
  store: AttributionStore;
  writer: TraitWriter;
  tracker?: EventTracker | undefined;
  enrichers?: readonly ProfileEnricher[] | undefined;
  settings: PipelineSettings;
  clock: () => Date;
  log: Logger;
}

/** What one batch did, for the handler's response, the CLI summary and tests. */
export interface BatchReport {
  received: number;
  processed: number;
  duplicates: number;
  ignored: number;
  deadLettered: number;
  touches: number;
  identifyCalls: number;
}

export function emptyReport(): BatchReport {
  return {
    received: 0,
    processed: 0,
    duplicates: 0,
    ignored: 0,
    deadLettered: 0,
    touches: 0,
    identifyCalls: 0,
  };
}

const MINUTE_MS = 60_000;

/**
 * Messages applied to the store whose downstream work is still to do: tracking, write-back, the done mark.
 * The Lambda handler completes it at once; a replay lets it span many store transactions (a window), so
 * a profile seen in many chunks is recomputed and written back once per window, not once per chunk.
 */
export interface PendingWork {
  fresh: Array<{ message: SegmentMessage; trackedAlready: boolean }>;
  /** the identities whose profile may have changed, with the messages that touched each */
  affected: Map<IdentityKey, SegmentMessage[]>;
  /** messageIds applied in this work, so a copy later in the same window counts as a duplicate */
  seen: Set<string>;
}

export function emptyWork(): PendingWork {
  return { fresh: [], affected: new Map(), seen: new Set() };
}

/**
 * Processes parsed messages: the one code path behind the Lambda handler (one message) and replay
 * (chunks). Order of work, and why:
 * 1. skip messages already done (idempotency by messageId); dead-letter invalid ones, ignore unsupported;
 * 2. apply each new message to the store: links, activity, touches (all idempotent writes);
 * 3. track them downstream (Personalize), once per message, marked per message;
 * 4. recompute each affected profile from stored touches and write back only the traits that changed;
 * 5. mark the messages done, only now that every side effect succeeded.
 * Any transient failure throws before step 5, so a redelivery redoes what is missing and nothing else.
 */
export async function processBatch(
  pipeline: Pipeline,
  inputs: readonly ParsedMessage[],
  deadlineAt: number,
): Promise<BatchReport> {
  const report = emptyReport();
  const work = emptyWork();
  await applyBatch(pipeline, inputs, work, report);
  await completeWork(pipeline, work, deadlineAt, report);
  return report;
}

/** Steps 1 and 2: adds the new messages to `work`. */
export async function applyBatch(
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
      log.info('message_ignored', { messageId: input.messageId, reason: input.reason });
      continue;
    }
    if (input.kind === 'invalid') {
      await deadLetter(pipeline, input.messageId, input.reason, input.raw);
      report.deadLettered++;
      continue;
    }
    const { message } = input;
    if (isOwnWriteBack(message)) {
      report.ignored++;
      log.debug('message_ignored', { messageId: message.messageId, reason: "touchpoint's own write-back" });
      continue;
    }
    const record = seen.has(message.messageId) ? null : await store.getMessage(message.messageId);
    if (seen.has(message.messageId) || record?.steps.includes('done')) {
      report.duplicates++; // redelivered, or twice in this work
      continue;
    }
    seen.add(message.messageId);
    fresh.push({ message, trackedAlready: record?.steps.includes('personalize') ?? false });
  }

  for (const { message } of fresh.slice(firstNew)) {
    const key = await applyMessage(pipeline, message, report);
    if (!key) continue;
    const messages = affected.get(key);
    if (messages) messages.push(message);
    else affected.set(key, [message]);
  }
}

/** Steps 3 to 5 for everything in `work`. */
async function completeWork(
  pipeline: Pipeline,
  work: PendingWork,
  deadlineAt: number,
  report: BatchReport,
): Promise<void> {
  await trackWork(pipeline, work, deadlineAt, report);
  await writeBackWork(pipeline, work, deadlineAt, report);
}

/** Steps 4 and 5: write back the affected profiles, then mark the messages done. */
export async function writeBackWork(
  pipeline: Pipeline,
  work: PendingWork,
  deadlineAt: number,
  report: BatchReport,
): Promise<void> {
  await writeBackProfiles(pipeline, work.affected, deadlineAt, report);
  for (const { message } of work.fresh) await pipeline.store.markStep(message.messageId, 'done');
  report.processed += work.fresh.length;
}

/** Step 2 for one message; returns the identity whose profile may have changed. */
async function applyMessage(
  pipeline: Pipeline,
  message: SegmentMessage,
  report: BatchReport,
): Promise<IdentityKey | null> {
  const { store, settings } = pipeline;
  if (message.type === 'delete') {
    const profile = await resolveProfile(userKey(message.userId as string), store);
    await store.forget(profile.keys);
    return null;
  }
  const owner = ownerKey(message);
  const at = message.timestamp;
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
  await store.recordActivity(owner, at, message.messageId);
  // This event continues any session it falls in, so a Direct visit shortly after it started none.
  await store.deleteDirectTouches(owner, at, new Date(atMs + sessionMs).toISOString());

  const candidate = touchCandidateOf(message, settings.classifier);
  if (candidate) {
    const touch = toTouch(message, owner, candidate);
    // Store first, then check: a concurrent event of the same session either sees this touch and
    // deletes it (above), or recorded its activity before our check, which then finds it.
    await store.putTouch(touch);
    const sessionStart = new Date(atMs - sessionMs).toISOString();
    const continuesSession =
      touch.direct && (await store.hasActivityBetween(owner, sessionStart, at, message.messageId));
    if (continuesSession) await store.deleteDirectTouches(owner, new Date(atMs - 1).toISOString(), at);
    else report.touches++;
  }
  return message.type === 'alias' && message.userId ? userKey(message.userId) : owner;
}

/**
 * Step 3: send the new messages downstream (Personalize) once each, and mark each one sent. Separate so a
 * replay can commit it before the write-back: a write-back that fails then does not take the window's
 * tracking marks down with it, and the re-run sends no PutEvents twice.
 */
export async function trackWork(
  pipeline: Pipeline,
  { fresh }: PendingWork,
  deadlineAt: number,
  report: BatchReport,
): Promise<void> {
  if (!pipeline.tracker) return;
  const pending = fresh.filter((entry) => !entry.trackedAlready).map((entry) => entry.message);
  if (pending.length === 0) return;
  const { rejected } = await pipeline.tracker.track(pending, remaining(deadlineAt));
  const rejectedIds = new Set(rejected.map((entry) => entry.messageId));
  for (const entry of rejected) {
    const message = pending.find((candidate) => candidate.messageId === entry.messageId);
    await deadLetter(pipeline, entry.messageId, `personalize: ${entry.reason}`, message);
    report.deadLettered++;
  }
  for (const message of pending) {
    if (!rejectedIds.has(message.messageId)) await pipeline.store.markStep(message.messageId, 'personalize');
  }
}

async function writeBackProfiles(
  pipeline: Pipeline,
  affected: Map<IdentityKey, SegmentMessage[]>,
  deadlineAt: number,
  report: BatchReport,
): Promise<void> {
  for (let round = 1; round <= MAX_WRITE_BACK_ROUNDS; round++) {
    const written = await writeBackRound(
      pipeline,
      await resolveAffected(pipeline, affected),
      deadlineAt,
      report,
    );
    // With concurrent writers (DynamoDB under parallel invocations), another invocation may have stored a
    // touch or a link after this one read its snapshot, and this one's save may have landed last with
    // stale traits. Re-resolving and recomputing after our own save closes that window: whoever saves
    // last also reads last.
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

/** Write-back rounds per batch: the first, and re-checks after concurrent writes. */
const MAX_WRITE_BACK_ROUNDS = 3;

/**
 * Profiles whose traits are computed at once: their store reads and recommendation calls (network, with
 * Personalize) overlap, so a replay window's thousands of profiles do not wait for each other in turn.
 */
const PROFILE_CONCURRENCY = 8;

/** Computes each profile's traits, sends the changed ones, saves them; returns how many calls it sent. */
async function writeBackRound(
  pipeline: Pipeline,
  profiles: ReadonlyArray<{ profile: Profile; messages: SegmentMessage[] }>,
  deadlineAt: number,
  report: BatchReport,
): Promise<number> {
  const { store, writer } = pipeline;
  for (const enricher of pipeline.enrichers ?? []) enricher.observe?.(profiles);
  const outcomes = await mapConcurrently(profiles, PROFILE_CONCURRENCY, (entry) =>
    profileWriteBack(pipeline, entry, deadlineAt),
  );
  const calls = outcomes.filter((outcome) => outcome !== null);
  for (const { call } of calls) writer.identify(call); // in profile order, whatever finished first
  if (calls.length === 0) return 0;

  const { rejected } = await writer.flush(remaining(deadlineAt));
  const rejectedIds = new Set(rejected.map((call) => call.messageId));
  const now = pipeline.clock().toISOString();
  for (const { call, full } of calls) {
    if (rejectedIds.has(call.messageId)) continue;
    await store.saveWrittenTraits(call.target, full, now);
    report.identifyCalls++;
  }
  return calls.length - rejectedIds.size;
}

/** One profile's identify call and the full traits to save, or null when nothing changed. */
async function profileWriteBack(
  pipeline: Pipeline,
  { profile, messages }: { profile: Profile; messages: SegmentMessage[] },
  deadlineAt: number,
): Promise<{ call: IdentifyCall; full: Traits } | null> {
  const { store, settings } = pipeline;
  // Without touches (server-side-only events) the attribution traits are all null, so only what the
  // enrichers add (recommendations) can be written.
  const touches = await store.touchesOf(profile.keys);
  const newest = await store.newestActivity(profile.keys);
  const attribution = computeAttribution(touches, newest, settings.attribution);
  const state = await store.getProfileState(profile.target);
  const traits = attributionTraits(attribution, settings.traitPreset);
  for (const enricher of pipeline.enrichers ?? []) {
    Object.assign(
      traits,
      await enricher.traitsFor({ profile, messages, state, timeoutMs: remaining(deadlineAt) }),
    );
  }
  const changed = changedTraits(traits, state?.writtenTraits ?? null);
  if (!changed) return null;
  const messageIds = messages.map((message) => message.messageId);
  const timestamp =
    newest ?? (attribution.last ?? attribution.first)?.timestamp ?? pipeline.clock().toISOString();
  const call = {
    target: profile.target,
    traits: changed,
    messageId: writeBackMessageId(profile.target, messageIds, changed),
    timestamp,
  };
  return { call, full: { ...(state?.writtenTraits ?? {}), ...traits } };
}

async function deadLetter(
  pipeline: Pipeline,
  messageId: string | null,
  reason: string,
  raw: unknown,
): Promise<void> {
  await pipeline.store.addDeadLetter({
    at: pipeline.clock().toISOString(),
    messageId,
    reason,
    payload: redact(raw),
  });
  pipeline.log.warn('message_dead_lettered', { messageId, reason });
}

function remaining(deadlineAt: number): number {
  return Math.max(0, deadlineAt - Date.now());
}
