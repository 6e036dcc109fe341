import { CONVERSION_ATTRIBUTED } from '../conversion';
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
 * True for a call that touchpoint itself sent (it came back through a destination that did not honour
 * the loop-guard `integrations`): an identify whose traits are all ours (the prefixes above, and
 * `ownTraits`, the configured conversion trait names), or a `Conversion Attributed` track. Processing it
 * would count it as activity and write again.
 */
export function isOwnWriteBack(message: SegmentMessage, ownTraits: readonly string[] = []): boolean {
  if (message.type === 'track') return message.event === CONVERSION_ATTRIBUTED;
  if (message.type !== 'identify') return false;
  const keys = Object.keys(message.traits ?? {});
  const ours = (key: string) =>
    ownTraits.includes(key) || OWN_TRAIT_PREFIXES.some((prefix) => key.startsWith(prefix));
  return keys.length > 0 && keys.every(ours);
}
