import type { SegmentMessage } from '../events';

/**
 * What a message keeps while it waits in a window for its downstream steps (tracking, recommendations,
 * write-back). Step 2 has read all of it by then (the page, the campaign, the time fields); downstream
 * steps read the ids, type, event name and `timestamp`, a track's `properties` (products, event
 * properties, value), and of `context`, `traits` and a page's or screen's `properties` only what their
 * configured paths name (PERSONALIZE_CONTEXT=DEVICE=context.device.type reads `context.device`;
 * PutUsers reads the PERSONALIZE_USER_TRAITS of `traits`).
 * A replay window holds 50,000 messages: on generated traffic, a parsed message's `context` is half of
 * its heap (52 MB of 50,000 messages, 27 MB without it), and dropping the page properties and the two
 * time fields nobody reads after parsing (`originalTimestamp`, `receivedAt`) cut the peak RSS of a
 * 300k-event replay by another 18 MB. A message Personalize rejects is dead-lettered as kept here (it
 * was applied, and is not replayed).
 */

/**
 * What the downstream steps read of a message's open-ended fields: for each, the keys that a configured
 * path names (`context.device.type` -> `device`), or undefined when a path reads the whole field.
 */
export interface DownstreamReads {
  context: readonly string[] | undefined;
  /** of a page's or screen's properties; a track's properties are always kept whole */
  properties: readonly string[] | undefined;
  traits: readonly string[] | undefined;
}

/** The keys of `context`, `properties` and `traits` that these dotted message paths read. */
export function downstreamReadsOf(paths: Iterable<string>): DownstreamReads {
  const list = [...paths];
  return {
    context: keysRead(list, 'context'),
    properties: keysRead(list, 'properties'),
    traits: keysRead(list, 'traits'),
  };
}

/**
 * The keys of the top-level field `field` that these dotted message paths read, or undefined when one of
 * them reads the whole field.
 */
export function keysRead(paths: Iterable<string>, field: string): string[] | undefined {
  const keys = new Set<string>();
  for (const path of paths) {
    const [head, key] = path.split('.');
    if (head !== field) continue;
    if (key === undefined || key === '') return undefined;
    keys.add(key);
  }
  return [...keys];
}

/**
 * The message with only what the downstream steps read of it (the message itself when `reads` is
 * undefined: a downstream step may read anything). Never changes the message it is given.
 */
export function keptInWindow(message: SegmentMessage, reads: DownstreamReads | undefined): SegmentMessage {
  if (reads === undefined) return message;
  const {
    originalTimestamp: _originalTimestamp,
    receivedAt: _receivedAt,
    context,
    properties,
    traits,
    ...kept
  } = message as SegmentMessage & Record<'context' | 'properties' | 'traits', unknown>;
  const fields: Record<string, unknown> = kept;
  keep(fields, 'context', context, reads.context);
  keep(fields, 'properties', properties, message.type === 'track' ? undefined : reads.properties);
  keep(fields, 'traits', traits, reads.traits);
  return fields as SegmentMessage;
}

/** Sets `fields[name]` to `value` (only its entries `keys`, when given), unless nothing of it is left. */
function keep(
  fields: Record<string, unknown>,
  name: string,
  value: unknown,
  keys: readonly string[] | undefined,
): void {
  const picked = keys === undefined ? value : picks(value, keys);
  if (picked !== undefined) fields[name] = picked;
}

/** The entries `keys` of a record, undefined when it has none of them (or is not a record). */
function picks(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const picked: Record<string, unknown> = {};
  let any = false;
  for (const key of keys)
    if (Object.hasOwn(value, key)) {
      picked[key] = (value as Record<string, unknown>)[key];
      any = true;
    }
  return any ? picked : undefined;
}
