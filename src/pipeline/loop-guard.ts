import type { SegmentMessage } from '../events';

/** Prefixes of every trait touchpoint writes (both presets, and recommendations). */
export const OWN_TRAIT_PREFIXES = [
  'first_touch_',
  'last_touch_',
  'first_non_direct_touch_',
  'touch_count',
  'source_first_',
  'source_last_',
  'recommended_',
  'recommendation',
] as const;

/**
 * True for an identify that touchpoint itself sent (it came back through a destination that did not
 * honour the loop-guard `integrations`): its traits are all ours. Processing it would count it as
 * activity and write again.
 */
export function isOwnWriteBack(message: SegmentMessage): boolean {
  if (message.type !== 'identify') return false;
  const keys = Object.keys(message.traits ?? {});
  return keys.length > 0 && keys.every((key) => OWN_TRAIT_PREFIXES.some((prefix) => key.startsWith(prefix)));
}
