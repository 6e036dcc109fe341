import { createHash } from 'node:crypto';
import type { Traits } from '../attribution';
import { isUserKey, rawId, type IdentityKey } from '../identity';
import type { IdentifyCall } from './types';

/**
 * Destinations that must not receive touchpoint's own identify calls, or every write-back would come
 * back in as a new event. Never `Personas: false`: Unify must receive the traits.
 */
export const LOOP_GUARD_INTEGRATIONS = Object.freeze({ 'Amazon Lambda': false, 'Amazon Personalize': false });

/**
 * The identify message as analytics-node takes it: to the userId when known, else the anonymousId;
 * `context.active: false` and no ip, so Segment neither geolocates nor counts it as user activity.
 */
export function identifyParams(call: IdentifyCall) {
  const id = rawId(call.target);
  return {
    ...(isUserKey(call.target) ? { userId: id } : { anonymousId: id }),
    traits: call.traits,
    messageId: call.messageId,
    timestamp: new Date(call.timestamp),
    context: { active: false, ip: null as unknown as string },
    integrations: { ...LOOP_GUARD_INTEGRATIONS },
  };
}

/**
 * A write-back messageId: the same target, triggering messages and traits always give the same id
 * (<= 100 chars, as Segment requires), so a redelivered event's retry is deduplicated by Segment.
 */
export function writeBackMessageId(
  target: IdentityKey,
  triggeringMessageIds: readonly string[],
  traits: Traits,
): string {
  const ids = [...triggeringMessageIds].sort().join(',');
  // Traits are built in a fixed key order (attribution, then enrichers), so the same traits give the
  // same text; keys are not re-sorted (a replacer list costs twice the stringify).
  const values = JSON.stringify(traits);
  const hash = createHash('sha256').update(`${target}\n${ids}\n${values}`);
  return `touchpoint-${hash.digest('hex').slice(0, 40)}`;
}
