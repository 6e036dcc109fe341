import type { SegmentMessage } from '../events';

/**
 * What a message keeps while it waits in a window for its downstream steps (tracking, recommendations,
 * write-back). Step 2 has read its `context` (the page, the campaign) by then; downstream steps read of it
 * only what their configured paths name (PERSONALIZE_CONTEXT=DEVICE=context.device.type reads
 * `context.device`). A replay window holds 50,000 messages: on generated traffic `context` is half of a
 * parsed message's heap (52 MB of 50,000 messages, 27 MB without it). A message Personalize rejects is
 * dead-lettered as kept here, without the rest of its context (it was applied, and is not replayed).
 */

/**
 * The keys of `context` that these dotted message paths read (`context.device.type` -> `device`), or
 * undefined when one of them reads the whole of `context`.
 */
export function contextKeysRead(paths: Iterable<string>): string[] | undefined {
  const keys = new Set<string>();
  for (const path of paths) {
    const [head, key] = path.split('.');
    if (head !== 'context') continue;
    if (key === undefined || key === '') return undefined;
    keys.add(key);
  }
  return [...keys];
}

/**
 * The message with only these keys of its `context` (the message itself when `contextKeys` is undefined:
 * downstream may read all of it). Never changes the message it is given.
 */
export function keptInWindow(
  message: SegmentMessage,
  contextKeys: readonly string[] | undefined,
): SegmentMessage {
  if (contextKeys === undefined || !message.context) return message;
  const { context, ...rest } = message;
  const kept: Record<string, unknown> = {};
  for (const key of contextKeys) if (Object.hasOwn(context, key)) kept[key] = context[key];
  return (Object.keys(kept).length > 0 ? { ...rest, context: kept } : rest) as SegmentMessage;
}
