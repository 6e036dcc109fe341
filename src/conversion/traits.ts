import type { Touch, Traits } from '../attribution';
import type { Conversion, ConversionSettings } from './conversion';
import { eligibleTouches, type CreditOptions } from './models';

/** Conversions in event-time order; ties break by messageId, so arrival order never matters. */
export function compareConversions(a: Conversion, b: Conversion): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
}

/**
 * A profile's conversion traits, under their configured names: how many conversions, their summed value
 * (currencies are not converted: a profile that pays in two currencies sums both), and the channel of the
 * last non-direct touch before its first conversion (the last-touch credit of that conversion; Direct
 * when only Direct came before it). All null without a conversion, so a profile that never converted
 * gets none of them; the channel is null too when no touch preceded the first conversion.
 */
export function conversionTraits(
  conversions: readonly Conversion[],
  touches: readonly Touch[],
  settings: Pick<ConversionSettings, 'traits'> & CreditOptions,
): Traits {
  const names = settings.traits;
  const first = [...conversions].sort(compareConversions)[0];
  if (!first) {
    return {
      [names.conversionCount]: null,
      [names.lifetimeRevenue]: null,
      [names.firstConversionChannel]: null,
    };
  }
  const revenue = conversions.reduce((sum, conversion) => sum + conversion.value, 0);
  const lastTouch = eligibleTouches(touches, first, settings).at(-1);
  return {
    [names.conversionCount]: conversions.length,
    // values are whole minor units; rounding the sum removes binary noise (0.1 + 0.2)
    [names.lifetimeRevenue]: Math.round(revenue * 10_000) / 10_000,
    [names.firstConversionChannel]: lastTouch?.channel ?? null,
  };
}
