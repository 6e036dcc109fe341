import { compareTouches, type Touch, type Traits } from '../attribution';
import { anonKey, resolveProfile, userKey, type IdentityKey } from '../identity';
import { computeProfile, type AttributionStore, type PipelineSettings, type ProfileState } from '../pipeline';

/** Everything touchpoint knows about one profile, as `touchpoint profile` prints it. */
export interface ProfileView {
  target: IdentityKey;
  linked_ids: IdentityKey[];
  touches: Touch[];
  first_touch: Touch | null;
  first_non_direct_touch: Touch | null;
  last_touch: Touch | null;
  traits: Traits;
  written_traits: ProfileState['writtenTraits'];
  written_at: string | null;
  recommendations: ProfileState['recommendations'];
}

/**
 * Looks a profile up by a raw id (tried as a userId, then as an anonymousId) or a key (`user:..`,
 * `anon:..`). Returns null when no id of that name has anything stored. The traits are computed by the
 * same `computeProfile` as the write-back.
 */
export async function viewProfile(
  store: AttributionStore,
  id: string,
  settings: PipelineSettings,
): Promise<ProfileView | null> {
  const candidates: IdentityKey[] =
    id.startsWith('user:') || id.startsWith('anon:') ? [id as IdentityKey] : [userKey(id), anonKey(id)];
  for (const key of candidates) {
    const profile = await resolveProfile(key, store);
    const computed = await computeProfile(store, profile, settings);
    if (computed.touches.length === 0 && computed.newestActivity === null && profile.keys.length === 1)
      continue;
    const { attribution, state } = computed;
    return {
      target: profile.target,
      linked_ids: profile.keys,
      touches: computed.touches.sort(compareTouches),
      first_touch: attribution.first,
      first_non_direct_touch: attribution.firstNonDirect,
      last_touch: attribution.last,
      traits: computed.traits,
      written_traits: state?.writtenTraits ?? null,
      written_at: state?.writtenAt ?? null,
      recommendations: state?.recommendations ?? null,
    };
  }
  return null;
}
