/**
 * Search terms (docs/attribution.md §5): the engine's query parameter on a search referrer. Most engines no
 * longer send it, so an empty or missing value is simply absent.
 */

import type { RuleMatch } from './hosts';
import type { Referrer } from './normalise';
import { findQueryParam } from './params';

/**
 * The search term carried by a search referrer, or null (callers check the channel, docs/attribution.md §5).
 */
export function searchTermOf(match: RuleMatch | null, referrer: Referrer): string | null {
  if (!match || (match.rule.kind !== 'search' && match.rule.kind !== 'search-ad')) return null;
  return findQueryParam(referrer.query, match.rule.searchParams);
}
