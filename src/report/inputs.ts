import type { Touch } from '../attribution';
import type { CreditedConversion } from '../conversion';
import { resolveProfile, type IdentityKey } from '../identity';
import type { AttributionStore } from '../pipeline';

/** Which conversions a report covers: event time in [since, until), either end open when absent. */
export interface ReportRange {
  since?: string | undefined;
  until?: string | undefined;
}

/**
 * Every stored conversion in `range` with all the touches of its profile (every linked id), as the
 * write-back credits it. Profiles are resolved once each, however many conversions they have.
 */
export async function creditedConversions(
  store: AttributionStore,
  range: ReportRange = {},
): Promise<CreditedConversion[]> {
  const conversions = (await store.listConversions()).filter(
    (conversion) =>
      (range.since === undefined || conversion.timestamp >= range.since) &&
      (range.until === undefined || conversion.timestamp < range.until),
  );
  const touchesByOwner = new Map<IdentityKey, readonly Touch[]>();
  const result: CreditedConversion[] = [];
  for (const conversion of conversions) {
    let touches = touchesByOwner.get(conversion.ownerKey);
    if (!touches) {
      const profile = await resolveProfile(conversion.ownerKey, store);
      touches = await store.touchesOf(profile.keys);
      for (const key of profile.keys) touchesByOwner.set(key, touches);
    }
    result.push({ conversion, touches });
  }
  return result;
}
