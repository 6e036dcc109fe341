import { mapConcurrently, type AttributionStore, type PipelineSettings } from '../pipeline';
import { viewProfile } from '../profile';

/** How many of the most recently written profiles the web view summarises by default, and at most. */
export const SUMMARY_PROFILES_DEFAULT = 100;
export const SUMMARY_PROFILES_MAX = 500;
/** Profiles computed at once for a summary (each is a few store reads). */
const SUMMARY_CONCURRENCY = 8;

/** One of the newest profiles, as the web view lists it. */
export interface ProfileRow {
  target: string;
  written_at: string;
  first_touch_channel: string | null;
  last_touch_channel: string | null;
  touch_count: number;
}

/** First and last touch counted by channel, over the profiles of a summary. */
export interface ChannelCount {
  channel: string;
  first: number;
  last: number;
}

/** What `GET /api/summary` answers: the web view's chart and its newest profiles. */
export interface Summary {
  /** how many profiles the counts cover (the newest written, one row per merged profile) */
  profiles: number;
  channels: ChannelCount[];
  newest: ProfileRow[];
}

/**
 * First vs last touch by channel over the `limit` most recently written profiles, and those profiles,
 * newest first. Each profile is computed by `viewProfile`, as `touchpoint profile` and the profile API
 * show it; targets that now belong to one merged profile count once.
 */
export async function summarise(
  store: AttributionStore,
  settings: PipelineSettings,
  limit: number,
): Promise<Summary> {
  const recent = await store.recentProfiles(limit);
  const views = await mapConcurrently(recent, SUMMARY_CONCURRENCY, async (entry) => ({
    entry,
    view: await viewProfile(store, entry.target, settings),
  }));
  const seen = new Set<string>();
  const newest: ProfileRow[] = [];
  for (const { entry, view } of views) {
    if (!view || seen.has(view.target)) continue;
    seen.add(view.target);
    newest.push({
      target: view.target,
      written_at: entry.writtenAt,
      first_touch_channel: view.first_touch?.channel ?? null,
      last_touch_channel: view.last_touch?.channel ?? null,
      touch_count: view.touches.length,
    });
  }
  const counts = new Map<string, ChannelCount>();
  const count = (channel: string | null, which: 'first' | 'last') => {
    if (channel === null) return;
    const entry = counts.get(channel) ?? { channel, first: 0, last: 0 };
    entry[which]++;
    counts.set(channel, entry);
  };
  for (const row of newest) {
    count(row.first_touch_channel, 'first');
    count(row.last_touch_channel, 'last');
  }
  const channels = [...counts.values()].sort(
    (a, b) => b.first + b.last - (a.first + a.last) || (a.channel < b.channel ? -1 : 1),
  );
  return { profiles: newest.length, channels, newest };
}
