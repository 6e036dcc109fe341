import type { SegmentMessage } from '../events';
import { rawId, type Profile } from '../identity';
import { itemIdsOf, type MappingOptions } from './mapping';
import type { RecommendationRequest, RecommendationSource, Recommendations } from './recommender';

/**
 * The built-in recommender used when Amazon Personalize is not configured, so the demo and local runs
 * show `recommended_products`. It is labelled everywhere: origin `local-fallback` in the store's cache and
 * `recommendation_id` = `local-fallback` on the profile.
 *
 * Model: items that occur in the same session (same device, no gap over 30 minutes) score each other;
 * a visitor gets the items that co-occur most with what they interacted with, then the most popular
 * items, never what they already touched.
 *
 * Limitation (stated, not hidden): the model lives in memory in this process and learns only from the
 * messages the pipeline shows it (the tracked events of profiles it writes back). A CLI replay or the demo
 * sees the whole stream; a Lambda container sees only its own share of traffic and starts empty after a
 * cold start. Moving it into the store needs new store methods (proposed in the integration notes).
 */
export const LOCAL_FALLBACK_ORIGIN = 'local-fallback';

export interface LocalFallbackOptions {
  mapping: MappingOptions;
  numResults: number;
  /** session inactivity gap, default 30 minutes */
  sessionGapMs?: number;
  /** devices remembered (oldest forgotten first), default 50,000 */
  maxDevices?: number;
}

interface DeviceHistory {
  lastAt: number;
  /** items of the current session, newest last */
  session: string[];
  /** items ever seen on the device, newest last, at most 50 */
  items: string[];
}

const MAX_SESSION_ITEMS = 20;
const MAX_DEVICE_ITEMS = 50;
const MAX_SEEN_MESSAGES = 200_000;

export class LocalFallbackRecommender implements RecommendationSource {
  readonly origin = LOCAL_FALLBACK_ORIGIN;
  private readonly devices = new Map<string, DeviceHistory>();
  private readonly together = new Map<string, Map<string, number>>();
  private readonly popularity = new Map<string, number>();
  private readonly seen = new Set<string>();
  /** items by popularity, most popular first; rebuilt after learning */
  private popularItems: string[] | null = null;

  constructor(private readonly options: LocalFallbackOptions) {}

  observe(_profile: Profile, messages: readonly SegmentMessage[]): void {
    for (const message of messages) this.learn(message);
  }

  /** Learns from one message (idempotent by messageId). */
  learn(message: SegmentMessage): void {
    const items = itemIdsOf(message, this.options.mapping);
    const deviceId = message.anonymousId ?? message.userId;
    if (items.length === 0 || !deviceId || this.seen.has(message.messageId)) return;
    this.remember(message.messageId);
    this.popularItems = null;
    const at = Date.parse(message.timestamp);
    const device = this.devices.get(deviceId) ?? { lastAt: at, session: [], items: [] };
    if (Math.abs(at - device.lastAt) > (this.options.sessionGapMs ?? 30 * 60_000)) device.session = [];
    device.lastAt = Math.max(device.lastAt, at);
    for (const item of items) {
      this.popularity.set(item, (this.popularity.get(item) ?? 0) + 1);
      for (const other of device.session) if (other !== item) this.bump(item, other);
      moveToEnd(device.session, item, MAX_SESSION_ITEMS);
      moveToEnd(device.items, item, MAX_DEVICE_ITEMS);
    }
    this.devices.delete(deviceId);
    this.devices.set(deviceId, device);
    if (this.devices.size > (this.options.maxDevices ?? 50_000)) {
      const oldest = this.devices.keys().next().value;
      if (oldest !== undefined) this.devices.delete(oldest);
    }
  }

  async recommend(request: RecommendationRequest): Promise<Recommendations> {
    return { items: this.recommendFor(request.profile), recommendationId: LOCAL_FALLBACK_ORIGIN };
  }

  /** Co-occurrence first, popularity after, excluding the profile's own items. */
  recommendFor(profile: Profile): string[] {
    const { numResults } = this.options;
    const own = new Set<string>();
    for (const key of profile.keys)
      for (const item of this.devices.get(rawId(key))?.items ?? []) own.add(item);
    const scores = new Map<string, number>();
    for (const item of own) {
      this.together.get(item)?.forEach((count, other) => {
        if (!own.has(other)) scores.set(other, (scores.get(other) ?? 0) + count);
      });
    }
    const ranked = Array.from(scores, ([item, score]) => ({ item, score, popularity: this.pop(item) }));
    ranked.sort((a, b) => b.score - a.score || b.popularity - a.popularity || byCodeUnits(a.item, b.item));
    const result = ranked.slice(0, numResults).map((entry) => entry.item);
    if (result.length < numResults) {
      this.popularItems ??= [...this.popularity]
        .sort((a, b) => b[1] - a[1] || byCodeUnits(a[0], b[0]))
        .map(([item]) => item);
      const chosen = new Set(result);
      for (const item of this.popularItems) {
        if (result.length >= numResults) break;
        if (!own.has(item) && !chosen.has(item)) result.push(item);
      }
    }
    return result;
  }

  private pop(item: string): number {
    return this.popularity.get(item) ?? 0;
  }

  private bump(a: string, b: string): void {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const row = this.together.get(from) ?? new Map<string, number>();
      row.set(to, (row.get(to) ?? 0) + 1);
      this.together.set(from, row);
    }
  }

  private remember(messageId: string): void {
    this.seen.add(messageId);
    if (this.seen.size > MAX_SEEN_MESSAGES) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

/** Moves (or adds) `item` to the end of `list`, keeping at most `max` entries. */
function moveToEnd(list: string[], item: string, max: number): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
  list.push(item);
  if (list.length > max) list.shift();
}

/** Ties broken by plain string order: deterministic and much cheaper than localeCompare. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
