import { createHash } from 'node:crypto';
import { isRecord, type SegmentMessage } from '../events';

/**
 * Segment message -> Personalize PutEvents events, with every limit of the PutEvents API checked here
 * (the SDK checks none of them). Pure: no I/O, no clock.
 */

/** PutEvents limits (API reference, personalize-events 2018-03-22). */
export const LIMITS = Object.freeze({
  eventsPerCall: 10,
  sessionId: 256,
  userId: 256,
  itemId: 256,
  eventId: 256,
  eventType: 256,
  properties: 1024,
  recommendationId: 40,
  impressionItems: 25,
  impressionItem: 256,
  eventAttributionSource: 1024,
});

/** The mapping settings (from config.personalize). */
export interface MappingOptions {
  /** Segment track event name (or `identify`) -> Personalize eventType; anything absent is not tracked */
  eventTypes: Readonly<Record<string, string>>;
  /** dotted paths tried in order for the item id, e.g. properties.product_id, properties.sku */
  itemIdPaths: readonly string[];
  /** property names (as sent by Segment) to pass in `properties`; null: every scalar one left over */
  eventProperties: readonly string[] | null;
  /** dotted path of the text sent as `metricAttribution.eventAttributionSource`; null: none */
  attributionSourcePath?: string | null;
}

/** One PutEvents event, as the SDK takes it. */
export interface PersonalizeEvent {
  eventId: string;
  eventType: string;
  sentAt: Date;
  itemId?: string;
  eventValue?: number;
  properties?: string;
  recommendationId?: string;
  impression?: string[];
  metricAttribution?: { eventAttributionSource: string };
}

/** What one message becomes. */
export type MappedMessage =
  | {
      kind: 'events';
      messageId: string;
      sessionId: string;
      userId: string | undefined;
      events: PersonalizeEvent[];
    }
  | { kind: 'skipped'; messageId: string; reason: string }
  | { kind: 'invalid'; messageId: string; reason: string };

/** Properties with a field of their own in the event, or that Personalize forbids in `properties`. */
const CONSUMED = new Set([
  'product_id',
  'sku',
  'price',
  'revenue',
  'value',
  'products',
  'recommendation_id',
  'recommendationId',
  'impression',
  'impressions',
]);
const FORBIDDEN_PROPERTY_KEYS = new Set([
  'userid',
  'sessionid',
  'eventtype',
  'timestamp',
  'recommendationid',
  'impression',
]);

/** Maps one validated message; never throws. */
/** What event configuration calls a message: a track's event name, else its type (`identify`, `page`). */
export function eventNameOf(message: SegmentMessage): string {
  return message.type === 'track' ? message.event : message.type;
}

/** The product entries of an order or cart event (`properties.products[]`), or none. */
export function productsOf(properties: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(properties.products) ? properties.products.filter(isRecord) : [];
}

export function mapMessage(message: SegmentMessage, options: MappingOptions): MappedMessage {
  const { messageId } = message;
  const name = eventNameOf(message);
  const eventType = options.eventTypes[name];
  if (!eventType)
    return { kind: 'skipped', messageId, reason: 'event: not one PERSONALIZE_EVENT_TYPES maps' };

  const sessionId = message.anonymousId ?? message.userId;
  const userId = message.userId;
  if (!sessionId) return { kind: 'invalid', messageId, reason: 'no anonymousId or userId for sessionId' };
  if (sessionId.length > LIMITS.sessionId)
    return invalid(messageId, 'sessionId (anonymousId)', LIMITS.sessionId);
  if (userId && userId.length > LIMITS.userId) return invalid(messageId, 'userId', LIMITS.userId);

  const base = { eventType, sentAt: new Date(message.timestamp) };
  if (message.type === 'identify') {
    // An explicit stitch event (opt-in via `identify=<type>`): it carries both ids and no item.
    if (!userId || !message.anonymousId)
      return { kind: 'skipped', messageId, reason: 'identify without both ids' };
    return {
      kind: 'events',
      messageId,
      sessionId,
      userId,
      events: [{ ...base, eventId: eventIdOf(messageId) }],
    };
  }

  const properties = message.type === 'track' ? (message.properties ?? {}) : {};
  const shared = sharedFields(message, properties, options);
  if (typeof shared === 'string') return { kind: 'invalid', messageId, reason: shared };

  const products = productsOf(properties);
  const events: PersonalizeEvent[] = [];
  if (products.length > 0) {
    products.forEach((product, index) => {
      const itemId = itemIdOf(product, options.itemIdPaths, true);
      if (itemId === null) return;
      events.push(
        withOptional(
          { ...base, eventId: eventIdOf(messageId, index), itemId },
          numberOf(product.price),
          shared,
        ),
      );
    });
  } else {
    const itemId = itemIdOf(message, options.itemIdPaths, false);
    if (itemId !== null) {
      const value = numberOf(properties.price) ?? numberOf(properties.revenue) ?? numberOf(properties.value);
      events.push(withOptional({ ...base, eventId: eventIdOf(messageId), itemId }, value, shared));
    }
  }
  if (events.length === 0)
    return { kind: 'skipped', messageId, reason: 'no item id at the configured paths' };
  const tooLong = events.find((event) => (event.itemId?.length ?? 0) > LIMITS.itemId);
  if (tooLong) return invalid(messageId, 'itemId', LIMITS.itemId);
  return { kind: 'events', messageId, sessionId, userId, events };
}

/**
 * The item ids of the events `mapMessage` would build for a message, without building them: what the
 * local fallback recommender learns from.
 */
export function itemIdsOf(message: SegmentMessage, options: MappingOptions): string[] {
  if (!options.eventTypes[eventNameOf(message)] || message.type === 'identify') return [];
  const products = productsOf(message.type === 'track' ? (message.properties ?? {}) : {});
  const ids =
    products.length > 0
      ? products.map((product) => itemIdOf(product, options.itemIdPaths, true))
      : [itemIdOf(message, options.itemIdPaths, false)];
  return ids.filter((id): id is string => id !== null && id.length <= LIMITS.itemId);
}

function invalid(messageId: string, field: string, limit: number): MappedMessage {
  return { kind: 'invalid', messageId, reason: `${field} longer than ${limit} characters` };
}

interface SharedFields {
  properties?: string;
  recommendationId?: string;
  impression?: string[];
  metricAttribution?: { eventAttributionSource: string };
}

/** Printable ASCII with at least one visible character: what eventAttributionSource accepts. */
const ATTRIBUTION_SOURCE = /^[\x20-\x7E]*[\x21-\x7E]+[\x20-\x7E]*$/;

/**
 * The fields every event of a message shares; a string is the reason the message is invalid. Closing
 * the loop: `recommendation_id` (or `recommendationId`) and `impression` (or `impressions`, the item ids
 * shown) come from the event's properties; the attribution source from the configured path, left out
 * when it is not text Personalize accepts (it labels the event, it is no reason to lose it).
 */
function sharedFields(
  message: SegmentMessage,
  properties: Record<string, unknown>,
  options: MappingOptions,
): SharedFields | string {
  const shared: SharedFields = {};
  const source = options.attributionSourcePath ? valueAt(message, options.attributionSourcePath) : undefined;
  if (
    typeof source === 'string' &&
    source.length <= LIMITS.eventAttributionSource &&
    ATTRIBUTION_SOURCE.test(source)
  )
    shared.metricAttribution = { eventAttributionSource: source };
  const recommendationId = properties.recommendation_id ?? properties.recommendationId;
  if (
    typeof recommendationId === 'string' &&
    recommendationId !== '' &&
    !recommendationId.startsWith('local-fallback')
  ) {
    if (recommendationId.length > LIMITS.recommendationId) {
      return `recommendationId longer than ${LIMITS.recommendationId} characters`;
    }
    shared.recommendationId = recommendationId;
  }
  const impression = properties.impression ?? properties.impressions;
  if (Array.isArray(impression) && impression.length > 0) {
    const ids = impression.map((item) => (typeof item === 'number' ? String(item) : item));
    if (ids.length > LIMITS.impressionItems)
      return `impression has more than ${LIMITS.impressionItems} items`;
    if (
      !ids.every(
        (id): id is string => typeof id === 'string' && id.length > 0 && id.length <= LIMITS.impressionItem,
      )
    ) {
      return `impression items must be 1-${LIMITS.impressionItem} character ids`;
    }
    shared.impression = ids;
  }
  const attributionProperty = options.attributionSourcePath?.match(/^properties\.([^.]+)$/)?.[1];
  const rest = attributionProperty === undefined ? properties : withoutKey(properties, attributionProperty);
  const extra = extraProperties(rest, options.eventProperties);
  if (extra) shared.properties = extra;
  return shared;
}

/**
 * The leftover scalar properties as a JSON object with camelCase keys, at most 1024 characters: keys that
 * do not fit are left out (they are optional metadata; the event itself is still worth sending).
 */
export function extraProperties(
  properties: Record<string, unknown>,
  allow: readonly string[] | null,
): string | undefined {
  const entries: Array<[string, string | number | boolean]> = [];
  for (const [key, value] of Object.entries(properties)) {
    if (CONSUMED.has(key) || (allow && !allow.includes(key))) continue;
    if (
      typeof value !== 'string' &&
      typeof value !== 'boolean' &&
      !(typeof value === 'number' && Number.isFinite(value))
    ) {
      continue;
    }
    const camel = camelCase(key);
    if (!camel || FORBIDDEN_PROPERTY_KEYS.has(camel.toLowerCase())) continue;
    entries.push([camel, value]);
  }
  return fitJson(entries, LIMITS.properties);
}

/**
 * The entries as a JSON object of at most `max` characters, leaving out the ones that do not fit (in
 * order); undefined when none is left.
 */
export function fitJson(
  entries: ReadonlyArray<[string, string | number | boolean]>,
  max: number,
): string | undefined {
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of entries) {
    kept[key] = value;
    if (JSON.stringify(kept).length > max) delete kept[key];
  }
  return Object.keys(kept).length > 0 ? JSON.stringify(kept) : undefined;
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _omitted, ...rest } = record;
  return rest;
}

/** product_id -> productId, "Order Id" -> orderId. */
export function camelCase(key: string): string {
  const words = key.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words
    .map((word, index) =>
      index === 0
        ? word.charAt(0).toLowerCase() + word.slice(1)
        : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join('');
}

/**
 * eventId: the messageId, so a redelivered message is deduplicated by Personalize; products of one message
 * get `#<index>`. An id over 256 characters is replaced by its SHA-256 (still deterministic).
 */
export function eventIdOf(messageId: string, index?: number): string {
  const id = index === undefined ? messageId : `${messageId}#${index}`;
  return id.length <= LIMITS.eventId ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * The first non-empty string or number at the given paths. For a product of `products[]` the paths are
 * read relative to the product (`properties.product_id` -> `product.product_id`).
 */
export function itemIdOf(source: unknown, paths: readonly string[], isProduct: boolean): string | null {
  for (const path of paths) {
    const relative = isProduct ? path.replace(/^properties\./, '') : path;
    const value = valueAt(source, relative);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

/** The value at a dotted path, or undefined. */
export function valueAt(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

function withOptional(
  event: PersonalizeEvent,
  value: number | undefined,
  shared: SharedFields,
): PersonalizeEvent {
  return { ...event, ...(value === undefined ? {} : { eventValue: value }), ...shared };
}

function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** One PutEvents call: up to 10 events of one (sessionId, userId), and the messages they came from. */
export interface PutEventsCall {
  sessionId: string;
  userId: string | undefined;
  events: PersonalizeEvent[];
  /** the messageId of each event, in the same order */
  owners: string[];
  /** the distinct messageIds in this call */
  messageIds: string[];
}

/**
 * Groups the events of mapped messages by (sessionId, userId), in message order, into calls of at most
 * 10 events. Messages of one session share calls, which is where replay saves most of its calls.
 */
export function planCalls(
  mapped: ReadonlyArray<Extract<MappedMessage, { kind: 'events' }>>,
): PutEventsCall[] {
  const groups = new Map<string, Array<{ messageId: string; event: PersonalizeEvent }>>();
  const ids = new Map<string, { sessionId: string; userId: string | undefined }>();
  for (const message of mapped) {
    const key = JSON.stringify([message.sessionId, message.userId ?? null]);
    ids.set(key, { sessionId: message.sessionId, userId: message.userId });
    const group = groups.get(key) ?? [];
    for (const event of message.events) group.push({ messageId: message.messageId, event });
    groups.set(key, group);
  }
  const calls: PutEventsCall[] = [];
  for (const [key, entries] of groups) {
    const { sessionId, userId } = ids.get(key) as { sessionId: string; userId: string | undefined };
    for (let start = 0; start < entries.length; start += LIMITS.eventsPerCall) {
      const slice = entries.slice(start, start + LIMITS.eventsPerCall);
      calls.push({
        sessionId,
        userId,
        events: slice.map((entry) => entry.event),
        owners: slice.map((entry) => entry.messageId),
        messageIds: [...new Set(slice.map((entry) => entry.messageId))],
      });
    }
  }
  return calls;
}
