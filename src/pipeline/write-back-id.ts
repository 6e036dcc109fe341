import { createHash } from 'node:crypto';
import type { Traits } from '../attribution';
import type { IdentityKey } from '../identity';

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
