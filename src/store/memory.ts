import type { Touch, Traits } from '../attribution';
import type { Conversion, CreditMark } from '../conversion';
import type { IdentityKey, IdentityLink } from '../identity';
import type {
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  DeadLetterFilter,
  MessageRecord,
  MessageStep,
  ProfileState,
  RecentProfile,
  RecommenderDoc,
  RecommenderWrite,
  WrittenBy,
} from '../pipeline/ports';
import { RACED_WRITE, recommenderDeviceDoc } from '../pipeline/ports';
import { matchesDeadLetterFilter } from '../pipeline/dead-letter';

/** An in-process store for unit tests and one-off runs. Same semantics as the persistent stores. */
export class MemoryStore implements AttributionStore {
  /** Any number of writes is one transaction here; bounded so one stays a few MB. */
  readonly maxRecommenderWrites: number = 10_000;
  private readonly messages = new Map<string, Set<MessageStep>>();
  /** owner -> `timestamp messageId` -> its event (one per timestamp a message came with) */
  private readonly activity = new Map<IdentityKey, Map<string, { messageId: string; timestamp: string }>>();
  private readonly touches = new Map<IdentityKey, Map<string, Touch>>();
  private readonly links = new Map<IdentityKey, Map<IdentityKey, IdentityLink>>();
  private readonly profiles = new Map<IdentityKey, ProfileState>();
  /** by key, in the order they were (last) added */
  private readonly deadLetters = new Map<string, DeadLetter>();
  private readonly recommenderDocs = new Map<string, RecommenderDoc>();
  private readonly conversions = new Map<IdentityKey, Map<string, Conversion>>();

  async getMessage(messageId: string): Promise<MessageRecord | null> {
    const steps = this.messages.get(messageId);
    return steps ? { messageId, steps: [...steps].sort() } : null;
  }

  async markStep(messageId: string, step: MessageStep): Promise<void> {
    const steps = this.messages.get(messageId) ?? new Set<MessageStep>();
    steps.add(step);
    this.messages.set(messageId, steps);
  }

  async recordActivity(ownerKey: IdentityKey, timestamp: string, messageId: string): Promise<boolean> {
    const owned = getOrCreate(this.activity, ownerKey, () => new Map());
    const key = `${timestamp} ${messageId}`;
    if (owned.has(key)) return false;
    owned.set(key, { messageId, timestamp });
    return true;
  }

  async hasActivityBetween(
    ownerKey: IdentityKey,
    from: string,
    to: string,
    exceptMessageId: string,
  ): Promise<boolean> {
    for (const { messageId, timestamp } of this.activity.get(ownerKey)?.values() ?? []) {
      if (messageId !== exceptMessageId && timestamp >= from && timestamp < to) return true;
    }
    return false;
  }

  async newestActivity(keys: readonly IdentityKey[]): Promise<string | null> {
    let newest: string | null = null;
    for (const key of keys) {
      for (const { timestamp } of this.activity.get(key)?.values() ?? []) {
        if (newest === null || timestamp > newest) newest = timestamp;
      }
    }
    return newest;
  }

  async putTouch(touch: Touch): Promise<void> {
    const owned = getOrCreate(this.touches, touch.ownerKey, () => new Map<string, Touch>());
    // A message that came again with another timestamp keeps its earliest (whichever came first).
    const stored = owned.get(touch.messageId);
    if (!stored || touch.timestamp <= stored.timestamp) owned.set(touch.messageId, { ...touch });
  }

  async deleteDirectTouches(ownerKey: IdentityKey, after: string, until: string): Promise<number> {
    const owned = this.touches.get(ownerKey);
    let deleted = 0;
    for (const [messageId, touch] of owned ?? []) {
      if (touch.direct && touch.timestamp > after && touch.timestamp <= until) {
        owned?.delete(messageId);
        deleted++;
      }
    }
    return deleted;
  }

  async touchesOf(keys: readonly IdentityKey[]): Promise<Touch[]> {
    return keys.flatMap((key) => [...(this.touches.get(key)?.values() ?? [])].map((touch) => ({ ...touch })));
  }

  async link(link: IdentityLink): Promise<void> {
    if (link.from === link.to) return;
    for (const [from, to] of [
      [link.from, link.to],
      [link.to, link.from],
    ] as const) {
      const neighbours = getOrCreate(this.links, from, () => new Map<IdentityKey, IdentityLink>());
      const existing = neighbours.get(to);
      if (!existing || link.timestamp < existing.timestamp) {
        neighbours.set(to, { from, to, primary: link.primary, timestamp: link.timestamp });
      }
    }
  }

  async linksOf(keys: readonly IdentityKey[]): Promise<IdentityLink[]> {
    return keys.flatMap((key) => [...(this.links.get(key)?.values() ?? [])]);
  }

  async getProfileState(target: IdentityKey): Promise<ProfileState | null> {
    const state = this.profiles.get(target);
    return state ? structuredClone(state) : null;
  }

  async saveWrittenTraits(
    target: IdentityKey,
    traits: Traits,
    at: string,
    writtenFor?: string,
    write?: WrittenBy,
  ): Promise<boolean> {
    const current = this.profiles.get(target);
    const replacing = write?.replacing;
    if (replacing !== undefined) {
      const holds = current?.writtenBy ?? null;
      if (holds !== replacing && holds !== write?.by) return false;
    }
    const { writtenBy: _previous, ...state } = current ?? emptyProfileState();
    this.profiles.set(target, {
      ...state,
      writtenTraits: { ...traits },
      writtenAt: at,
      ...(writtenFor === undefined ? {} : { writtenFor }),
      ...(write ? { writtenBy: write.by } : {}),
    });
    return true;
  }

  async markWrittenRaced(target: IdentityKey): Promise<void> {
    const state = this.profiles.get(target);
    if (state) this.profiles.set(target, { ...state, writtenFor: RACED_WRITE });
  }

  async saveRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void> {
    const state = this.profiles.get(target) ?? emptyProfileState();
    this.profiles.set(target, { ...state, recommendations: structuredClone(recommendations) });
  }

  async saveRelatedRecommendations(
    target: IdentityKey,
    recommendations: CachedRecommendations,
  ): Promise<void> {
    const state = this.profiles.get(target) ?? emptyProfileState();
    this.profiles.set(target, { ...state, relatedRecommendations: structuredClone(recommendations) });
  }

  async recentProfiles(limit: number): Promise<RecentProfile[]> {
    const written: RecentProfile[] = [];
    for (const [target, state] of this.profiles)
      if (state.writtenAt !== null) written.push({ target, writtenAt: state.writtenAt });
    return written
      .sort((a, b) => (a.writtenAt < b.writtenAt ? 1 : a.writtenAt > b.writtenAt ? -1 : 0))
      .slice(0, limit);
  }

  async addDeadLetter(entry: DeadLetter): Promise<void> {
    this.deadLetters.delete(entry.key);
    this.deadLetters.set(entry.key, structuredClone(entry));
  }

  async listDeadLetters(limit: number, filter?: DeadLetterFilter): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()]
      .reverse() // the last added first among equal times
      .filter((letter) => matchesDeadLetterFilter(letter, filter))
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
      .slice(0, Math.max(0, limit))
      .map((letter) => structuredClone(letter));
  }

  async removeDeadLetters(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) if (this.deadLetters.delete(key)) removed++;
    return removed;
  }

  async forget(keys: readonly IdentityKey[]): Promise<void> {
    const forgotten = new Set<IdentityKey>(keys);
    for (const [letterKey, letter] of this.deadLetters)
      if (letter.owners.some((owner) => forgotten.has(owner))) this.deadLetters.delete(letterKey);
    for (const key of keys) {
      this.activity.delete(key);
      this.touches.delete(key);
      this.conversions.delete(key);
      this.profiles.delete(key);
      for (const other of this.links.get(key)?.keys() ?? []) this.links.get(other)?.delete(key);
      this.links.delete(key);
      this.recommenderDocs.delete(recommenderDeviceDoc(key));
    }
  }

  async batch<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {}

  async readRecommenderDocs(keys: readonly string[]): Promise<Map<string, RecommenderDoc>> {
    const docs = new Map<string, RecommenderDoc>();
    for (const key of keys) {
      const doc = this.recommenderDocs.get(key);
      if (doc) docs.set(key, structuredClone(doc));
    }
    return docs;
  }

  async writeRecommenderDocs(writes: readonly RecommenderWrite[]): Promise<'applied' | 'conflict'> {
    const stale = writes.some(
      (write) => (this.recommenderDocs.get(write.key)?.version ?? 0) !== write.expectedVersion,
    );
    if (stale) return 'conflict';
    for (const write of writes)
      this.recommenderDocs.set(write.key, {
        version: write.expectedVersion + 1,
        value: structuredClone(write.value),
      });
    return 'applied';
  }

  async putConversion(conversion: Conversion): Promise<void> {
    const owned = getOrCreate(this.conversions, conversion.ownerKey, () => new Map<string, Conversion>());
    // As a touch, an order that came again keeps its earliest timestamp, unless its credit was sent.
    const stored = owned.get(conversion.messageId);
    if (!stored || (!stored.credited && conversion.timestamp < stored.timestamp))
      owned.set(conversion.messageId, structuredClone(conversion));
  }

  async conversionsOf(keys: readonly IdentityKey[]): Promise<Conversion[]> {
    return keys.flatMap((key) =>
      [...(this.conversions.get(key)?.values() ?? [])].map((c) => structuredClone(c)),
    );
  }

  async saveConversionCredit(conversion: Conversion, mark: CreditMark): Promise<boolean> {
    const stored = this.conversions.get(conversion.ownerKey)?.get(conversion.messageId);
    if (!stored || stored.credited?.version !== conversion.credited?.version) return false;
    stored.credited = { ...mark };
    return true;
  }

  async listConversions(): Promise<Conversion[]> {
    return [...this.conversions.values()].flatMap((owned) =>
      [...owned.values()].map((c) => structuredClone(c)),
    );
  }
}

export function emptyProfileState(): ProfileState {
  return { writtenTraits: null, writtenAt: null, recommendations: null, relatedRecommendations: null };
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
