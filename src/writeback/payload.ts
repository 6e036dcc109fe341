import { isUserKey, rawId } from '../identity';
import type { IdentifyCall, TrackCall } from '../pipeline/ports';

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
  return { ...writeBackParams(call), traits: call.traits };
}

/** The track message as analytics-node takes it, addressed and loop-guarded like an identify. */
export function trackParams(call: TrackCall) {
  return { ...writeBackParams(call), event: call.event, properties: call.properties };
}

function writeBackParams(call: IdentifyCall | TrackCall) {
  const id = rawId(call.target);
  return {
    ...(isUserKey(call.target) ? { userId: id } : { anonymousId: id }),
    messageId: call.messageId,
    timestamp: new Date(call.timestamp),
    context: { active: false, ip: null as unknown as string },
    integrations: { ...LOOP_GUARD_INTEGRATIONS },
  };
}
