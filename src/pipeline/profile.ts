import {
  attributionTraits,
  computeAttribution,
  type Attribution,
  type AttributionOptions,
  type TraitPreset,
  type Touch,
  type Traits,
} from '../attribution';
import { createHash } from 'node:crypto';
import { conversionTraits, type Conversion, type ConversionSettings } from '../conversion';
import type { IdentityKey, Profile } from '../identity';
import { creditOptionsOf } from './conversions';
import type { AttributionStore, ProfileState } from './ports';

/** What a profile's attribution is computed from, and what it computes to. */
export interface ComputedProfile {
  profile: Profile;
  /** every touch of every linked id, in store order (the model orders them) */
  touches: Touch[];
  /** the newest event timestamp over the linked ids: where the lookback window ends */
  newestActivity: string | null;
  attribution: Attribution;
  /** every conversion of every linked id, in store order */
  conversions: Conversion[];
  /** the attribution traits in the configured preset and the conversion traits, before enrichers add theirs */
  traits: Traits;
  /** what was last written to Segment, and the recommendation cache */
  state: ProfileState | null;
}

/**
 * Reads a resolved profile's touches and state and computes its attribution and traits: the one
 * computation behind the write-back, `touchpoint profile` and every profile view, so what a person
 * looks at is what is written to Segment.
 */
export async function computeProfile(
  store: AttributionStore,
  profile: Profile,
  settings: { attribution: AttributionOptions; traitPreset: TraitPreset; conversion: ConversionSettings },
): Promise<ComputedProfile> {
  const { touches, conversions, newestActivity } = store.profileInputsOf
    ? await store.profileInputsOf(profile.keys)
    : {
        touches: await store.touchesOf(profile.keys),
        conversions: await store.conversionsOf(profile.keys),
        newestActivity: await store.newestActivity(profile.keys),
      };
  const attribution = computeAttribution(touches, newestActivity, settings.attribution);
  const state = await store.getProfileState(profile.target);
  const traits = {
    ...attributionTraits(attribution, settings.traitPreset),
    ...conversionTraits(conversions, touches, {
      traits: settings.conversion.traits,
      ...creditOptionsOf(settings),
    }),
  };
  return { profile, touches, newestActivity, attribution, conversions, traits, state };
}

/**
 * A short digest of a profile's ids (ProfileState.writtenFor): equal digests, same ids. When the digest
 * saved with the written traits differs from the profile's now, the profile gained (or lost) an id since.
 */
export function profileIdsDigest(keys: readonly IdentityKey[]): string {
  return createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')
    .slice(0, 24);
}
