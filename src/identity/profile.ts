import { isUserKey, type IdentityKey } from './keys';

/**
 * A link between two ids made by an identify, an alias or an event carrying both ids. `primary` is the id
 * the link points to (the userId of an identify, the new userId of an alias); it is the same record seen
 * from either end.
 */
export interface IdentityLink {
  from: IdentityKey;
  to: IdentityKey;
  primary: IdentityKey;
  timestamp: string;
}

/** Reads identity links: every link that touches one of the given ids, seen from that id (`from`). */
export interface LinkReader {
  linksOf(keys: readonly IdentityKey[]): Promise<IdentityLink[]>;
}

/** Every id linked to a starting id (a connected component), and who receives its traits. */
export interface Profile {
  keys: IdentityKey[];
  /**
   * Where traits are written: the userId that the newest link points to (an alias to a new userId wins,
   * as in Segment), else the id the newest link points to; a lone id is its own target. Derived from the
   * stored links only, so it does not depend on the order events arrived in.
   */
  target: IdentityKey;
}

/** Upper bound on ids per profile: a runaway merge (a shared kiosk device) must not walk forever. */
export const MAX_PROFILE_IDS = 500;

/** Walks the link graph breadth-first from `start`. */
export async function resolveProfile(start: IdentityKey, links: LinkReader): Promise<Profile> {
  const seen = new Set<IdentityKey>([start]);
  const newest = new Map<IdentityKey, string>();
  let frontier: IdentityKey[] = [start];
  while (frontier.length > 0 && seen.size < MAX_PROFILE_IDS) {
    const next: IdentityKey[] = [];
    for (const link of await links.linksOf(frontier)) {
      const previous = newest.get(link.primary);
      if (previous === undefined || link.timestamp > previous) newest.set(link.primary, link.timestamp);
      if (!seen.has(link.to)) {
        seen.add(link.to);
        next.push(link.to);
      }
    }
    frontier = next;
  }
  const keys = [...seen].sort();
  return { keys, target: chooseTarget(keys, newest) };
}

function chooseTarget(keys: IdentityKey[], newestLink: Map<IdentityKey, string>): IdentityKey {
  const users = keys.filter(isUserKey);
  const candidates = users.length > 0 ? users : keys;
  let best = candidates[0] as IdentityKey;
  for (const key of candidates) {
    const a = newestLink.get(key) ?? '';
    const b = newestLink.get(best) ?? '';
    if (a > b || (a === b && key < best)) best = key;
  }
  return best;
}
