import type { Attribution } from './model';
import type { Touch } from './touch';

/** Flat trait values only (docs/attribution.md §8): a trait with no value is null, never "undefined". */
export type TraitValue = string | number | boolean | null | string[];
export type Traits = Record<string, TraitValue>;

/**
 * Which trait names to write: `touchpoint` (docs/attribution.md §8 names), `segment-attribution` (the
 * `source_first_*` names of Segment's "Solving Marketing Attribution" series, for teams switching over), or
 * `both`.
 */
export type TraitPreset = 'touchpoint' | 'segment-attribution' | 'both';
export const TRAIT_PRESETS: readonly TraitPreset[] = ['touchpoint', 'segment-attribution', 'both'];

const TOUCH_FIELDS = [
  'channel',
  'source',
  'medium',
  'campaign',
  'term',
  'content',
  'search_term',
  'click_id',
  'referrer',
  'referrer_host',
  'landing_page',
  'timestamp',
] as const satisfies ReadonlyArray<keyof Touch>;

/** The profile traits for an attribution, in the chosen preset. */
export function attributionTraits(attribution: Attribution, preset: TraitPreset): Traits {
  const traits: Traits = {};
  if (preset !== 'segment-attribution') {
    Object.assign(
      traits,
      touchTraits('first_touch_', attribution.first),
      touchTraits('last_touch_', attribution.last),
    );
    const fnd = attribution.firstNonDirect;
    traits.first_non_direct_touch_channel = fnd?.channel ?? null;
    traits.first_non_direct_touch_source = fnd?.source ?? null;
    traits.first_non_direct_touch_medium = fnd?.medium ?? null;
    traits.first_non_direct_touch_timestamp = fnd?.timestamp ?? null;
    // null, not 0, without touches: a profile with no touch gets no attribution trait at all
    traits.touch_count = attribution.touchCount > 0 ? attribution.touchCount : null;
  }
  if (preset !== 'touchpoint') {
    Object.assign(
      traits,
      legacyTraits('source_first_', attribution.first),
      legacyTraits('source_last_', attribution.last),
    );
  }
  return traits;
}

function touchTraits(prefix: string, touch: Touch | null): Traits {
  const traits: Traits = {};
  for (const field of TOUCH_FIELDS) traits[prefix + field] = touch?.[field] ?? null;
  return traits;
}

/**
 * The "Solving Marketing Attribution" names, filled the way its `inbound`-based function did:
 * referrer_type is search/social/email/ad/link/direct, and network/engine/client name the source
 * for social/search/email referrers.
 */
function legacyTraits(prefix: string, touch: Touch | null): Traits {
  const type = touch ? legacyReferrerType(touch) : null;
  return {
    [prefix + 'url']: touch?.landing_page ?? null,
    [prefix + 'referrer']: touch?.referrer ?? null,
    [prefix + 'referrer_type']: type,
    [prefix + 'referrer_network']: type === 'social' ? touch!.source : null,
    [prefix + 'referrer_engine']: type === 'search' ? touch!.source : null,
    [prefix + 'referrer_host']: touch?.referrer_host ?? null,
    [prefix + 'referrer_client']: type === 'email' ? touch!.source : null,
    [prefix + 'campaign_name']: touch?.campaign ?? null,
    [prefix + 'campaign_source']: touch?.source ?? null,
    [prefix + 'campaign_medium']: touch?.medium ?? null,
    [prefix + 'campaign_term']: touch?.term ?? null,
  };
}

function legacyReferrerType(touch: Touch): string {
  switch (touch.channel) {
    case 'Direct':
      return 'direct';
    case 'Organic Search':
      return 'search';
    case 'Organic Social':
      return 'social';
    case 'Email':
      return 'email';
    case 'Paid Search':
    case 'Paid Social':
    case 'Paid Shopping':
    case 'Paid Video':
    case 'Paid Other':
    case 'Display':
    case 'Cross-network':
      return 'ad';
    default:
      return 'link';
  }
}

/**
 * The traits that differ from what was last written (null clears a trait that had a value). Keys never
 * written before count as changed unless their value is null.
 */
export function changedTraits(next: Traits, lastWritten: Traits | null): Traits | null {
  const changed: Traits = {};
  let any = false;
  for (const [key, value] of Object.entries(next)) {
    const previous = lastWritten?.[key] ?? null;
    if (!sameValue(previous, value)) {
      changed[key] = value;
      any = true;
    }
  }
  return any ? changed : null;
}

function sameValue(a: TraitValue, b: TraitValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
