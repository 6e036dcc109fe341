import type { Touch } from './touch';

/** Attribution settings (docs/attribution.md §7). Defaults live in src/config. */
export interface AttributionOptions {
  /** last touch looks back this far from the profile's newest event */
  lookbackDays: number;
  /** a gap longer than this starts a new session */
  sessionTimeoutMinutes: number;
  /**
   * query parameters kept in the referrer and landing-page URLs of touches (lower-case names); default
   * DEFAULT_URL_PARAMETERS (./urls.ts)
   */
  urlParameters?: readonly string[];
}

/** A profile's first/last touch (docs/attribution.md §7). */
export interface Attribution {
  first: Touch | null;
  firstNonDirect: Touch | null;
  last: Touch | null;
  /** touches after collapsing consecutive identical ones within a session */
  touchCount: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Chronological order, compared as instants, never as arbitrary text ("+010000-..." would sort before
 * "2026-..."); ties break by messageId so the result never depends on arrival order. Two timestamps in
 * the fixed-width `YYYY-MM-DDTHH:mm:ss.sssZ` form every validated event has compare as text, which is the
 * same order and ten times faster than parsing them (a replay sorts every profile's touches).
 */
export function compareTouches(a: Touch, b: Touch): number {
  const byTime =
    isFixedWidth(a.timestamp) && isFixedWidth(b.timestamp)
      ? a.timestamp < b.timestamp
        ? -1
        : a.timestamp > b.timestamp
          ? 1
          : 0
      : Date.parse(a.timestamp) - Date.parse(b.timestamp);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`: 24 characters, a four-digit year (no sign), UTC. */
function isFixedWidth(timestamp: string): boolean {
  const first = timestamp.charCodeAt(0);
  return timestamp.length === 24 && first >= 0x30 && first <= 0x39 && timestamp.charCodeAt(23) === 0x5a;
}

/**
 * Computes first touch (earliest, may be Direct), first non-direct touch, and last touch (last
 * non-direct within the lookback window, Direct only when the window has nothing else) from a
 * profile's touches, in any order. The window ends at `newestEventAt`, the profile's newest event
 * timestamp, never the wall clock, so a backfill yields what live processing did.
 */
export function computeAttribution(
  touches: readonly Touch[],
  newestEventAt: string | null,
  options: AttributionOptions,
): Attribution {
  const ordered = orderedTouches(touches, options.sessionTimeoutMinutes);
  const first = ordered[0] ?? null;
  const firstNonDirect = ordered.find((touch) => touch.channel !== 'Direct') ?? null;
  const windowEnd = newestEventAt ?? ordered[ordered.length - 1]?.timestamp ?? null;
  let last: Touch | null = null;
  if (windowEnd !== null) {
    const end = Date.parse(windowEnd);
    const start = end - options.lookbackDays * DAY_MS;
    const inWindow = ordered.filter((touch) => {
      const at = Date.parse(touch.timestamp);
      return at >= start && at <= end;
    });
    last = findLast(inWindow, (touch) => touch.channel !== 'Direct') ?? inWindow[inWindow.length - 1] ?? null;
  }
  return { first, firstNonDirect, last, touchCount: ordered.length };
}

/** An event of an identity at a time: what continues (or starts) a session. */
export interface IdentityEvent {
  ownerKey: Touch['ownerKey'];
  timestamp: string;
}

/**
 * The Direct touches that one of `events` continues the session of (docs/attribution.md §7: a Direct
 * touch is kept only when it starts a session): those of the same identity less than the session timeout
 * after the event, `event < touch <= event + timeout`. Such a touch was stored before the earlier event
 * arrived (events come in any order), and is no touch at all.
 */
export function directTouchesContinued(
  touches: readonly Touch[],
  events: readonly IdentityEvent[],
  sessionTimeoutMinutes: number,
): Touch[] {
  const direct = touches.filter((touch) => touch.direct);
  if (direct.length === 0 || events.length === 0) return [];
  const timeoutMs = sessionTimeoutMinutes * MINUTE_MS;
  const eventsByOwner = new Map<string, number[]>();
  for (const event of events) {
    const at = Date.parse(event.timestamp);
    const times = eventsByOwner.get(event.ownerKey);
    if (times) times.push(at);
    else eventsByOwner.set(event.ownerKey, [at]);
  }
  return direct.filter((touch) => {
    const at = Date.parse(touch.timestamp);
    return (eventsByOwner.get(touch.ownerKey) ?? []).some((event) => event < at && at <= event + timeoutMs);
  });
}

/**
 * A profile's touches as the models see them (docs/attribution.md §7): chronological, ties by messageId,
 * consecutive identical touches within one session collapsed into the first of them.
 */
export function orderedTouches(touches: readonly Touch[], sessionTimeoutMinutes: number): Touch[] {
  return collapseRepeats([...touches].sort(compareTouches), sessionTimeoutMinutes * MINUTE_MS);
}

/**
 * docs/attribution.md §7: consecutive identical (channel, source, medium, campaign) touches in one session
 * are one touch.
 */
function collapseRepeats(ordered: Touch[], sessionTimeoutMs: number): Touch[] {
  const kept: Touch[] = [];
  let previous: Touch | undefined;
  for (const touch of ordered) {
    const sameSession =
      previous !== undefined &&
      Date.parse(touch.timestamp) - Date.parse(previous.timestamp) <= sessionTimeoutMs;
    if (!(sameSession && previous !== undefined && sameSource(previous, touch))) kept.push(touch);
    previous = touch;
  }
  return kept;
}

function sameSource(a: Touch, b: Touch): boolean {
  return (
    a.channel === b.channel && a.source === b.source && a.medium === b.medium && a.campaign === b.campaign
  );
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    if (predicate(item)) return item;
  }
  return undefined;
}
