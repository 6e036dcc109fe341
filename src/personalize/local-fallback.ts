import { RetryableError } from '../errors';
import type { SegmentMessage } from '../events';
import { ownerKey, type Profile } from '../identity';
import {
  MAX_RECOMMENDER_WRITES,
  RECOMMENDER_DEVICE_PREFIX,
  recommenderDeviceDoc,
  type AttributionStore,
  type RecommenderDoc,
  type RecommenderWrite,
} from '../pipeline/ports';
import { itemIdsOf, type MappingOptions } from './mapping';
import type { RecommendationRequest, RecommendationSource, Recommendations } from './recommender';

/**
 * The built-in recommender used when Amazon Personalize is not configured, so the demo and local runs
 * show `recommended_products`. It is labelled everywhere: origin `local-fallback` in the store's cache and
 * `recommendation_id` = `local-fallback` on the profile.
 *
 * Model: items that occur in the same session (same device, no gap over 30 minutes) score each other;
 * a visitor gets the items that co-occur most with what they interacted with, then the most popular
 * items, never what they already touched. It is a counting model, not a trained one: no decay, no
 * personalisation beyond the visitor's own items, no cold-start handling for new items.
 *
 * State lives in the store (AttributionStore.readRecommenderDocs / applyRecommenderLesson), so a restart
 * or a Lambda cold start on the same store recommends exactly as before, and every container learns from
 * every message. Documents, all bounded:
 * - `device:<identity key>`: the device's current session (20 items) and recent items (50);
 * - `item:<itemId>`: how often the item occurred, and its 100 strongest co-occurring items;
 * - `popular`: the 100 most frequent items.
 * Each message is one lesson, applied once per messageId (a `lesson:<messageId>` marker kept 30 days,
 * like the idempotency records); lessons are written atomically in groups, and a group that raced
 * another writer (parallel invocations) is re-read and re-applied.
 */
export const LOCAL_FALLBACK_ORIGIN = 'local-fallback';

export interface LocalFallbackOptions {
  store: AttributionStore;
  mapping: MappingOptions;
  numResults: number;
  /** session inactivity gap, default 30 minutes */
  sessionGapMs?: number;
}

/** What the model keeps per device. */
interface DeviceHistory {
  /** epoch ms of the newest event */
  lastAt: number;
  /** items of the current session, newest last */
  session: string[];
  /** items ever seen on the device, newest last */
  items: string[];
}

/** What the model keeps per item. */
interface ItemStats {
  count: number;
  /** co-occurring item -> sessions in which both occurred */
  together: Record<string, number>;
}

/** item -> count, for the most frequent items */
type Popularity = Record<string, number>;

const DEFAULT_SESSION_GAP_MS = 30 * 60_000;
export const MODEL_BOUNDS = Object.freeze({
  sessionItems: 20,
  deviceItems: 50,
  neighbours: 100,
  popular: 100,
  /** items learned from one message (an order's first products) */
  lessonItems: 10,
});
/** Attempts at a lesson that keeps racing other writers before the delivery is failed (and retried). */
const LESSON_ATTEMPTS = 5;
/** The most documents one lesson writes: its device, marker, popularity, items and session items. */
const MAX_LESSON_WRITES = 3 + MODEL_BOUNDS.lessonItems + MODEL_BOUNDS.sessionItems;
/** messageIds this process already applied, so a write-back's re-check rounds read nothing again. */
const REMEMBERED_LESSONS = 10_000;
const POPULAR_DOC = 'popular';
const itemDoc = (item: string) => `item:${item}`;
/** The documents many profiles' recommendations read: the items' and the popularity list. */
const isSharedDoc = (key: string) => key === POPULAR_DOC || key.startsWith('item:');
const isHistoryDoc = (key: string) => key.startsWith(RECOMMENDER_DEVICE_PREFIX);
/** Device histories an `observe` keeps for the recommendations after it (see lastCommitted). */
const KEPT_HISTORIES = 1000;

export class LocalFallbackRecommender implements RecommendationSource {
  readonly origin = LOCAL_FALLBACK_ORIGIN;
  private readonly learned = new Set<string>();
  /**
   * The documents the last `observe` read and wrote, as written: the recommendations asked for right
   * after it (the same write-back round) read them from here instead of parsing them again. Kept: the
   * item and popularity documents every profile's ranking shares, and the device histories when there
   * are at most KEPT_HISTORIES (a Lambda or Kinesis batch); a bigger window's histories are each read
   * once, from the store: a replay window's 7,000 held 6.6 MB of heap through its write-back (300k
   * generated events). Lesson markers are never read again.
   */
  private lastCommitted: StagedDocs | null = null;

  constructor(private readonly options: LocalFallbackOptions) {}

  /**
   * Learns from these messages, once per messageId (in this process and in the store). Lessons are
   * staged on the documents read once and written together, up to the store's maxRecommenderWrites at a
   * time, so a replay window writes the popular and item documents once per group of lessons (once per
   * window on SQLite), not once per event.
   */
  async observe(messages: readonly SegmentMessage[]): Promise<void> {
    const lessons = messages.flatMap((message) => this.lessonOf(message) ?? []);
    const maxWrites = this.options.store.maxRecommenderWrites ?? MAX_RECOMMENDER_WRITES;
    let staged = new StagedDocs(this.options.store);
    // Staging changes the documents in place: nobody reads them until every lesson is written.
    this.lastCommitted = null;
    for (let start = 0, attempt = 1; start < lessons.length;) {
      let end = start;
      while (end < lessons.length && staged.pendingWrites + MAX_LESSON_WRITES <= maxWrites)
        await this.stage(staged, lessons[end++] as Lesson);
      if ((await staged.commit()) === 'applied') {
        for (const lesson of lessons.slice(start, end)) this.remember(lesson.messageId);
        start = end;
        attempt = 1;
        continue;
      }
      // Another writer (a parallel invocation) changed a document meanwhile: read again, stage again.
      if (++attempt > LESSON_ATTEMPTS)
        throw new RetryableError("the local recommender's state kept changing under this batch; retry later");
      staged = new StagedDocs(this.options.store);
    }
    const histories = staged.count(isHistoryDoc);
    staged.keepOnly((key) => isSharedDoc(key) || (histories <= KEPT_HISTORIES && isHistoryDoc(key)));
    this.lastCommitted = staged;
  }

  /** Learns from one message (see observe). */
  async learn(message: SegmentMessage): Promise<void> {
    await this.observe([message]);
  }

  async recommend(request: RecommendationRequest): Promise<Recommendations> {
    return { items: await this.recommendFor(request.profile), recommendationId: LOCAL_FALLBACK_ORIGIN };
  }

  /** Co-occurrence first, popularity after, excluding the profile's own items. */
  async recommendFor(profile: Profile): Promise<string[]> {
    const { numResults } = this.options;
    const read = (keys: readonly string[]) => readThrough(this.lastCommitted, this.options.store, keys);
    const deviceKeys = profile.keys.map(recommenderDeviceDoc);
    const first = await read([...deviceKeys, POPULAR_DOC]);
    const own = new Set<string>();
    for (const key of deviceKeys)
      for (const item of (first.get(key)?.value as DeviceHistory | undefined)?.items ?? []) own.add(item);
    const popularity = (first.get(POPULAR_DOC)?.value as Popularity | undefined) ?? {};
    const stats = await read([...own].map(itemDoc));
    return rank(
      [...own].map((item) => (stats.get(itemDoc(item))?.value as ItemStats | undefined) ?? null),
      own,
      popularity,
      numResults,
    );
  }

  private lessonOf(message: SegmentMessage): Lesson | null {
    if (this.learned.has(message.messageId)) return null;
    const items = [...new Set(itemIdsOf(message, this.options.mapping))].slice(0, MODEL_BOUNDS.lessonItems);
    if (items.length === 0 || (!message.anonymousId && !message.userId)) return null;
    return {
      messageId: message.messageId,
      deviceKey: recommenderDeviceDoc(ownerKey(message)),
      items,
      at: Date.parse(message.timestamp),
    };
  }

  /** Stages one lesson on `staged`, unless the store has it already. */
  private async stage(staged: StagedDocs, lesson: Lesson): Promise<void> {
    const marker = `lesson:${lesson.messageId}`;
    await staged.load([lesson.deviceKey, marker]);
    if (staged.get(marker) !== undefined) return;
    const gap = this.options.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;
    const before = (staged.get(lesson.deviceKey) as DeviceHistory | undefined) ?? null;
    const { device, pairs } = learnFrom(before, lesson.items, lesson.at, gap);
    const items = [...new Set([...lesson.items, ...pairs.flat()])];
    await staged.load([...items.map(itemDoc), POPULAR_DOC]);
    staged.set(lesson.deviceKey, device);
    for (const [key, value] of countLesson((key) => staged.get(key), lesson.items, pairs))
      staged.set(key, value);
    staged.set(marker, true, true);
  }

  private remember(messageId: string): void {
    this.learned.add(messageId);
    if (this.learned.size > REMEMBERED_LESSONS) {
      const oldest = this.learned.values().next().value;
      if (oldest !== undefined) this.learned.delete(oldest);
    }
  }
}

/** One message's contribution to the model. */
interface Lesson {
  messageId: string;
  deviceKey: string;
  items: string[];
  at: number;
}

/**
 * Documents read from the store once, changed in memory, and written together with the versions they
 * were read at, so a concurrent change anywhere makes the whole write a conflict.
 */
class StagedDocs {
  private readonly docs = new Map<string, RecommenderDoc | null>();
  private readonly writes = new Map<string, RecommenderWrite>();

  constructor(private readonly store: AttributionStore) {}

  get pendingWrites(): number {
    return this.writes.size;
  }

  async load(keys: readonly string[]): Promise<void> {
    const missing = keys.filter((key) => !this.docs.has(key));
    if (missing.length === 0) return;
    const found = await this.store.readRecommenderDocs(missing);
    for (const key of missing) this.docs.set(key, found.get(key) ?? null);
  }

  /** The loaded document, null when it does not exist, undefined when it was not loaded. */
  doc(key: string): RecommenderDoc | null | undefined {
    return this.docs.get(key);
  }

  /** The current value of a loaded document, undefined when it does not exist. */
  get(key: string): unknown {
    return this.docs.get(key)?.value;
  }

  set(key: string, value: unknown, expires = false): void {
    const version = this.docs.get(key)?.version ?? 0;
    this.docs.set(key, { version, value });
    this.writes.set(key, { key, expectedVersion: version, value, ...(expires ? { expires } : {}) });
  }

  /** How many loaded documents (existing or not) have a key that passes `test`. */
  count(test: (key: string) => boolean): number {
    let count = 0;
    for (const key of this.docs.keys()) if (test(key)) count++;
    return count;
  }

  /** Forgets the loaded documents whose key fails `keep` (after a commit: nothing is pending then). */
  keepOnly(keep: (key: string) => boolean): void {
    for (const key of this.docs.keys()) if (!keep(key)) this.docs.delete(key);
  }

  /** Writes what was set; on success the documents carry their new versions. */
  async commit(): Promise<'applied' | 'conflict'> {
    if (this.writes.size === 0) return 'applied';
    const outcome = await this.store.writeRecommenderDocs([...this.writes.values()]);
    if (outcome === 'applied')
      for (const write of this.writes.values())
        this.docs.set(write.key, { version: write.expectedVersion + 1, value: write.value });
    this.writes.clear();
    return outcome;
  }
}

/**
 * The documents `keys` from `recent` where it holds them (read or written by the last commit), the
 * others from the store. The values are shared, not copied: the ranking only reads them.
 */
async function readThrough(
  recent: StagedDocs | null,
  store: AttributionStore,
  keys: readonly string[],
): Promise<Map<string, RecommenderDoc>> {
  const docs = new Map<string, RecommenderDoc>();
  const missing: string[] = [];
  for (const key of keys) {
    const doc = recent?.doc(key);
    if (doc === undefined) missing.push(key);
    else if (doc !== null) docs.set(key, doc);
  }
  if (missing.length > 0)
    for (const [key, doc] of await store.readRecommenderDocs(missing)) docs.set(key, doc);
  return docs;
}

/** A device's history after these items at `at`, and the item pairs that now share a session. */
export function learnFrom(
  before: DeviceHistory | null,
  items: readonly string[],
  at: number,
  sessionGapMs: number,
): { device: DeviceHistory; pairs: Array<[string, string]> } {
  const device: DeviceHistory = before
    ? { lastAt: before.lastAt, session: [...before.session], items: [...before.items] }
    : { lastAt: at, session: [], items: [] };
  if (Math.abs(at - device.lastAt) > sessionGapMs) device.session = [];
  device.lastAt = Math.max(device.lastAt, at);
  const pairs: Array<[string, string]> = [];
  for (const item of items) {
    for (const other of device.session) if (other !== item) pairs.push([item, other]);
    moveToEnd(device.session, item, MODEL_BOUNDS.sessionItems);
    moveToEnd(device.items, item, MODEL_BOUNDS.deviceItems);
  }
  return { device, pairs };
}

/**
 * The item and popularity documents after counting `items` and `pairs` (both directions). The staged
 * values are changed in place: they are this batch's own copies, discarded on a conflict.
 */
function countLesson(
  current: (key: string) => unknown,
  items: readonly string[],
  pairs: ReadonlyArray<[string, string]>,
): Array<[string, unknown]> {
  const stats = new Map<string, ItemStats>();
  const statsOf = (item: string): ItemStats => {
    let entry = stats.get(item);
    if (!entry) {
      entry = (current(itemDoc(item)) as ItemStats | undefined) ?? { count: 0, together: {} };
      stats.set(item, entry);
    }
    return entry;
  };
  for (const item of items) statsOf(item).count++;
  for (const [a, b] of pairs) {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const entry = statsOf(from);
      entry.together[to] = (entry.together[to] ?? 0) + 1;
    }
  }
  const popular = (current(POPULAR_DOC) as Popularity | undefined) ?? {};
  for (const item of items) popular[item] = statsOf(item).count;
  const docs: Array<[string, unknown]> = [...stats].map(([item, entry]) => [
    itemDoc(item),
    { count: entry.count, together: strongest(entry.together, MODEL_BOUNDS.neighbours) },
  ]);
  docs.push([POPULAR_DOC, strongest(popular, MODEL_BOUNDS.popular)]);
  return docs;
}

/**
 * Keeps the `limit` highest counts (ties by item id), dropping the others from `counts` in place and
 * returning it. A lesson adds a few entries to a bounded document, so this drops the few weakest, one
 * scan each, instead of sorting the whole document again.
 */
function strongest(counts: Record<string, number>, limit: number): Record<string, number> {
  let excess = -limit;
  for (const _key in counts) excess++; // counted without allocating an array of the keys
  for (; excess > 0; excess--) {
    let weakest: string | null = null;
    let weakestCount = Infinity;
    for (const key in counts) {
      const count = counts[key] as number;
      if (count < weakestCount || (count === weakestCount && byCodeUnits(key, weakest as string) > 0)) {
        weakest = key;
        weakestCount = count;
      }
    }
    if (weakest !== null) delete counts[weakest];
  }
  return counts;
}

/** Entries by count, highest first, ties in plain string order (deterministic, no localeCompare). */
function byCount(entries: Array<[string, number]>): Array<[string, number]> {
  return entries.sort((a, b) => b[1] - a[1] || byCodeUnits(a[0], b[0]));
}

/** The ranking: summed co-occurrence with the own items, then popularity, never an own item. */
function rank(
  ownStats: ReadonlyArray<ItemStats | null>,
  own: ReadonlySet<string>,
  popularity: Popularity,
  numResults: number,
): string[] {
  if (numResults <= 0) return [];
  // A visitor owns up to 50 items of up to 100 neighbours each: sum without copying the documents.
  const scores = new Map<string, number>();
  for (const stats of ownStats) {
    const together = stats?.together;
    for (const other in together)
      if (!own.has(other)) scores.set(other, (scores.get(other) ?? 0) + (together[other] as number));
  }
  const best: Array<{ item: string; score: number; popularity: number }> = [];
  const before = (
    a: { score: number; popularity: number; item: string },
    b: { score: number; popularity: number; item: string },
  ) => b.score - a.score || b.popularity - a.popularity || byCodeUnits(a.item, b.item);
  // The top numResults by insertion into a short sorted list: one pass, no sort of every candidate.
  for (const [item, score] of scores) {
    const entry = { item, score, popularity: popularity[item] ?? 0 };
    if (best.length === numResults && before(entry, best[numResults - 1] as typeof entry) >= 0) continue;
    let at = best.length;
    while (at > 0 && before(entry, best[at - 1] as typeof entry) < 0) at--;
    best.splice(at, 0, entry);
    if (best.length > numResults) best.pop();
  }
  const result = best.map((entry) => entry.item);
  if (result.length >= numResults) return result;
  const chosen = new Set(result);
  for (const [item] of byCount(Object.entries(popularity))) {
    if (result.length >= numResults) break;
    if (!own.has(item) && !chosen.has(item)) result.push(item);
  }
  return result;
}

/** Moves (or adds) `item` to the end of `list`, keeping at most `max` entries. */
function moveToEnd(list: string[], item: string, max: number): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
  list.push(item);
  if (list.length > max) list.shift();
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
