import {
  attributionTraits,
  changedTraits,
  computeAttribution,
  compareTouches,
  toTouch,
  touchCandidateOf,
  type Attribution,
  type Touch,
  type Traits,
  type TraitValue,
} from '../attribution';
import { CHANNELS, type Channel } from '../classify';
import { parseMessage, type SegmentMessage } from '../events';
import { ValidationError } from '../errors';
import { anonKey, userKey, type IdentityKey } from '../identity';
import type { AttributionFunctionOptions } from './settings';

/**
 * The attribution destination function's decisions, without I/O: which profile an event belongs to, which
 * traits to read, and what to write back. Unify holds the state: the profile's own `first_touch_*` /
 * `last_touch_*` traits are the stored first and last touch, and the same model as the Lambda mode
 * (`computeAttribution`) decides between them and the new visit.
 */

/** The profile an event's traits are read from and written to. */
export interface ProfileRef {
  /** the Profile API's external id: `user_id:<id>` when the event has a userId, else `anonymous_id:<id>` */
  externalId: string;
  target: { userId: string } | { anonymousId: string };
}

/** An identify call as the Tracking API takes it in `/v1/batch`. */
export interface WriteBackCall {
  type: 'identify';
  messageId: string;
  userId?: string;
  anonymousId?: string;
  traits: Traits;
  context: { active: false; ip: null; library: { name: string; version: string } };
  integrations: Record<string, boolean>;
}

/** The display names of the two functions (and the integrations key that keeps write-backs away). */
export const ATTRIBUTION_FUNCTION_NAME = 'touchpoint attribution';
export const INSERT_FUNCTION_NAME = 'touchpoint traffic source';

/**
 * Validates a raw event at the edge.
 * @throws ValidationError with the reason (the door answers InvalidEventPayload)
 */
export function messageOf(raw: unknown): SegmentMessage {
  const parsed = parseMessage(raw);
  if (parsed.kind === 'message') return parsed.message;
  throw new ValidationError(parsed.reason);
}

/** The profile of a message: its userId when known (Unify merges the anonymous history into it). */
export function profileRefOf(message: SegmentMessage): ProfileRef {
  if (message.userId) return { externalId: `user_id:${message.userId}`, target: { userId: message.userId } };
  const anonymousId = message.anonymousId as string;
  return { externalId: `anonymous_id:${anonymousId}`, target: { anonymousId } };
}

/** The traits this mode reads back (its state) and may write, for the preset. */
export function stateTraitNames(options: AttributionFunctionOptions): string[] {
  const empty: Attribution = { first: null, firstNonDirect: null, last: null, touchCount: 0 };
  return Object.keys(attributionTraits(empty, options.preset)).filter((name) => name !== 'touch_count');
}

/**
 * The touch a message makes, or null (no visit, internal navigation, unwanted referrer). A Direct visit
 * is a touch here whatever the session: this mode sees no session history, and the model ranks Direct
 * below any non-direct touch anyway.
 */
export function touchOf(message: SegmentMessage, options: AttributionFunctionOptions): Touch | null {
  const candidate = touchCandidateOf(message, options.classifier);
  return candidate ? toTouch(message, ownerOf(message), candidate) : null;
}

/**
 * The profile's traits after `touch`: first touch (earliest wins; a late-arriving earlier touch replaces
 * it), first non-direct touch, and last touch (latest non-direct within the lookback, Direct only when
 * the window has nothing else). The window ends at the newest timestamp known: the new touch's or the
 * stored last touch's. `touch_count` is not kept (the profile holds no touch history).
 */
export function traitsAfter(stored: Traits, touch: Touch, options: AttributionFunctionOptions): Traits {
  const first = storedTouch(stored, 'first_touch_', touch.ownerKey);
  const last = storedTouch(stored, 'last_touch_', touch.ownerKey);
  const touches = [first, last, touch].filter((candidate): candidate is Touch => candidate !== null);
  const newest =
    touches
      .map((candidate) => candidate.timestamp)
      .sort()
      .pop() ?? touch.timestamp;
  const attribution = computeAttribution(touches, newest, options.attribution);
  const firstNonDirect = [storedFirstNonDirect(stored, touch.ownerKey), touch]
    .filter((candidate): candidate is Touch => candidate !== null && candidate.channel !== 'Direct')
    .sort(compareTouches)[0];
  const traits = attributionTraits(
    { ...attribution, firstNonDirect: firstNonDirect ?? null, touchCount: 0 },
    options.preset,
  );
  delete traits.touch_count;
  return traits;
}

/**
 * The one identify call for a profile after `messages` (applied in the order given; those that are no
 * touch are skipped), or null when no trait changed. Its messageId comes from the messages' ids and the
 * changed traits, so a redelivery of the same events sends the same id and Segment drops the duplicate.
 */
export function planWriteBack(
  profile: ProfileRef,
  stored: Traits | null,
  messages: readonly SegmentMessage[],
  options: AttributionFunctionOptions,
  library: WriteBackCall['context']['library'],
): WriteBackCall | null {
  const before = stored ?? {};
  let current: Traits = before;
  const contributing: string[] = [];
  for (const message of messages) {
    const touch = touchOf(message, options);
    if (touch === null) continue;
    current = { ...current, ...traitsAfter(current, touch, options) };
    contributing.push(message.messageId);
  }
  if (contributing.length === 0) return null;
  const next: Traits = {};
  for (const name of stateTraitNames(options)) next[name] = current[name] ?? null;
  const changed = changedTraits(next, before);
  if (changed === null) return null;
  return {
    type: 'identify',
    messageId: writeBackIdOf(contributing, changed),
    ...profile.target,
    traits: changed,
    context: { active: false, ip: null, library },
    integrations: { [ATTRIBUTION_FUNCTION_NAME]: false, 'Amazon Lambda': false },
  };
}

/**
 * A deterministic messageId (<= 100 chars) for the write-back of these events with these traits: a
 * redelivery that computes the same traits gets the same id (Segment drops it), one that computes other
 * traits (the profile moved on) is not silently deduplicated away. FNV-1a, twice with different offsets
 * (the runtime has no synchronous hash function; this needs none).
 */
export function writeBackIdOf(messageIds: readonly string[], traits: Traits): string {
  const text = `${[...messageIds].sort().join('\n')}\n${JSON.stringify(traits)}`;
  return `touchpoint-fn-${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x01000193 ^ 0x5bd1e995)}`;
}

function fnv1a(text: string, offset: number): string {
  let hash = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function ownerOf(message: SegmentMessage): IdentityKey {
  return message.anonymousId ? anonKey(message.anonymousId) : userKey(message.userId as string);
}

/**
 * The touch a profile's `<prefix>*` traits describe, or null when they do not describe one (no channel
 * or no timestamp). Its messageId is empty: on equal timestamps the stored touch counts as the earlier.
 */
function storedTouch(traits: Traits, prefix: string, ownerKey: IdentityKey): Touch | null {
  const channel = channelOf(traits[`${prefix}channel`]);
  const timestamp = timestampOf(traits[`${prefix}timestamp`]);
  if (channel === null || timestamp === null) return null;
  const field = (name: string) => textOf(traits[prefix + name]);
  return {
    ownerKey,
    messageId: '',
    timestamp,
    channel,
    source: field('source') ?? '(not set)',
    medium: field('medium') ?? '(not set)',
    campaign: field('campaign'),
    term: field('term'),
    content: field('content'),
    search_term: field('search_term'),
    click_id: field('click_id'),
    referrer: field('referrer'),
    referrer_host: field('referrer_host'),
    landing_page: field('landing_page'),
    direct: channel === 'Direct',
  };
}

/** The first non-direct touch as far as its four traits tell it (only those four are ever written). */
function storedFirstNonDirect(traits: Traits, ownerKey: IdentityKey): Touch | null {
  const channel = channelOf(traits.first_non_direct_touch_channel);
  const timestamp = timestampOf(traits.first_non_direct_touch_timestamp);
  if (channel === null || timestamp === null) return null;
  return {
    ownerKey,
    messageId: '',
    timestamp,
    channel,
    source: textOf(traits.first_non_direct_touch_source) ?? '(not set)',
    medium: textOf(traits.first_non_direct_touch_medium) ?? '(not set)',
    campaign: null,
    term: null,
    content: null,
    search_term: null,
    click_id: null,
    referrer: null,
    referrer_host: null,
    landing_page: null,
    direct: false,
  };
}

function channelOf(value: TraitValue | undefined): Channel | null {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)
    ? (value as Channel)
    : null;
}

/** A stored timestamp in the model's canonical form (what the Profile API returns may be re-serialised). */
function timestampOf(value: TraitValue | undefined): string | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function textOf(value: TraitValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
