import {
  attributionTraits,
  computeAttribution,
  directTouchesContinued,
  type Attribution,
  type AttributionOptions,
  type IdentityEvent,
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
  /** how many Direct touches were deleted because the applied events continue their session */
  deletedTouches: number;
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
 * looks at is what is written to Segment. The write-back passes the events it applied since the
 * profile's last write-back (`appliedEvents`): the Direct touches they continue the session of are
 * deleted first (withoutContinuedDirect).
 */
export async function computeProfile(
  store: AttributionStore,
  profile: Profile,
  settings: { attribution: AttributionOptions; traitPreset: TraitPreset; conversion: ConversionSettings },
  appliedEvents: readonly IdentityEvent[] = [],
): Promise<ComputedProfile> {
  const inputs = store.profileInputsOf
    ? await store.profileInputsOf(profile.keys)
    : {
        touches: await store.touchesOf(profile.keys),
        conversions: await store.conversionsOf(profile.keys),
        newestActivity: await store.newestActivity(profile.keys),
      };
  const { conversions, newestActivity } = inputs;
  const continued = directTouchesContinued(
    inputs.touches,
    appliedEvents,
    settings.attribution.sessionTimeoutMinutes,
  );
  const touches = await withoutContinuedDirect(store, inputs.touches, continued);
  const attribution = computeAttribution(touches, newestActivity, settings.attribution);
  const state = await store.getProfileState(profile.target);
  const traits = {
    ...attributionTraits(attribution, settings.traitPreset),
    ...conversionTraits(conversions, touches, {
      traits: settings.conversion.traits,
      ...creditOptionsOf(settings),
    }),
  };
  return {
    profile,
    touches,
    deletedTouches: continued.length,
    newestActivity,
    attribution,
    conversions,
    traits,
    state,
  };
}

/**
 * Deletes the Direct touches that the applied events continue the session of (`continued`, see
 * directTouchesContinued) and returns `touches` without them. The write-back does this once per profile
 * instead of each event asking the store at ingest (a Query per event on DynamoDB, a range DELETE on
 * SQLite): it reads the profile's touches anyway. It runs after the events' activity was recorded, so a
 * Direct touch stored concurrently is either among `touches` or finds that activity in its own check
 * (applyMessage in ./engine.ts).
 */
async function withoutContinuedDirect(
  store: AttributionStore,
  touches: Touch[],
  continued: readonly Touch[],
): Promise<Touch[]> {
  if (continued.length === 0) return touches;
  const deleted = new Set<string>();
  for (const touch of continued) {
    const at = `${touch.ownerKey}\u0000${touch.timestamp}`;
    if (deleted.has(at)) continue;
    deleted.add(at);
    // (just before, at]: the owner's Direct touches at exactly this time
    const justBefore = new Date(Date.parse(touch.timestamp) - 1).toISOString();
    await store.deleteDirectTouches(touch.ownerKey, justBefore, touch.timestamp);
  }
  return touches.filter((touch) => !continued.includes(touch));
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
