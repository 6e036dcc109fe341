import type { Traits } from '../attribution';
import type { IdentityKey } from '../identity';
import type { AttributionChange, TouchSnapshot } from './ports';

/** Trait prefixes of each side, in preference order: touchpoint names, then the legacy preset's. */
const SIDES = {
  firstTouch: ['first_touch_', 'source_first_'],
  lastTouch: ['last_touch_', 'source_last_'],
} as const;

/**
 * The attribution change a write-back makes, or null when neither the first nor the last touch changed.
 * Compares the traits last written with the ones about to be written, so "changed" means what Segment's
 * profile will show changed; a profile written for the first time changes from `old: null`.
 */
export function attributionChangeOf(input: {
  target: IdentityKey;
  before: Traits | null;
  after: Traits;
  timestamp: string;
  messageIds: string[];
}): AttributionChange | null {
  const first = sideOf(SIDES.firstTouch, input.before, input.after);
  const last = sideOf(SIDES.lastTouch, input.before, input.after);
  const changed: AttributionChange['changed'] = [];
  if (!sameSnapshot(first.old, first.new)) changed.push('firstTouch');
  if (!sameSnapshot(last.old, last.new)) changed.push('lastTouch');
  if (changed.length === 0) return null;
  return {
    target: input.target,
    changed,
    firstTouch: first,
    lastTouch: last,
    timestamp: input.timestamp,
    messageIds: input.messageIds,
  };
}

function sideOf(
  prefixes: readonly string[],
  before: Traits | null,
  after: Traits,
): { old: TouchSnapshot; new: TouchSnapshot } {
  const prefix = prefixes.find((candidate) => Object.keys(after).some((key) => key.startsWith(candidate)));
  if (!prefix) return { old: null, new: null };
  return { old: snapshotOf(before, prefix), new: snapshotOf(after, prefix) };
}

/** The fields under `prefix`, or null when none has a value (no touch). */
function snapshotOf(traits: Traits | null, prefix: string): TouchSnapshot {
  if (!traits) return null;
  const snapshot: Traits = {};
  let any = false;
  for (const [key, value] of Object.entries(traits)) {
    if (!key.startsWith(prefix)) continue;
    snapshot[key.slice(prefix.length)] = value;
    if (value !== null) any = true;
  }
  return any ? snapshot : null;
}

function sameSnapshot(a: TouchSnapshot, b: TouchSnapshot): boolean {
  if (a === null || b === null) return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (JSON.stringify(a[key] ?? null) !== JSON.stringify(b[key] ?? null)) return false;
  return true;
}
