import { createHash } from 'node:crypto';
import type { Traits } from '../attribution';
import type { IdentityKey } from '../identity';

/** The written state a write-back replaces: what the store says was last sent to the target, and when. */
export interface ReplacedState {
  traits: Traits | null;
  at: string | null;
  /** the identify call that wrote them (ProfileState.writtenBy), when known */
  by?: string | null;
}

/**
 * A write-back messageId (<= 100 chars, as Segment requires) that depends only on the target, the traits
 * being sent and the written state they replace. Two containers that compute the same change from the
 * same state send the same id, and so does a redelivery that redoes a write-back whose save failed:
 * Segment deduplicates them. Which messages triggered the change does not matter. A later change back to
 * an earlier value replaces a different state (another `at`, other traits, another writer), so it gets
 * a new id: a resend after a race (RACED_WRITE) is never taken for the call it corrects.
 */
export function writeBackMessageId(target: IdentityKey, traits: Traits, replaced: ReplacedState): string {
  // Traits are built in a fixed key order (attribution, then enrichers), and the written state is read
  // back as it was saved, so the same values give the same text; keys are not re-sorted (a replacer list
  // costs twice the stringify).
  const by = replaced.by ? `\n${replaced.by}` : '';
  const text = `${target}\n${JSON.stringify(traits)}\n${replaced.at ?? ''}\n${JSON.stringify(replaced.traits)}${by}`;
  return `touchpoint-${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
}
