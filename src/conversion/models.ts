import { orderedTouches, type Touch } from '../attribution';
import { minorDigits, type Conversion } from './conversion';

/** The attribution models, in report order. */
export const MODELS = ['first', 'last', 'linear', 'position', 'time_decay'] as const;
export type Model = (typeof MODELS)[number];

/** What the models need to know besides the touches. Defaults live in src/config. */
export interface CreditOptions {
  /** touches older than this before the conversion earn nothing (default 30) */
  creditLookbackDays: number;
  /** time decay: a touch this many days before the conversion weighs half (default 7) */
  halfLifeDays: number;
  /** consecutive identical touches within one session are one touch (default 30) */
  sessionTimeoutMinutes: number;
}

/** The fields of a touch that say where it came from: what credit is given to. */
export interface TouchSource {
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
}

/** One touch's share of a conversion's value under one model. */
export interface CreditRow extends TouchSource {
  touchMessageId: string;
  /** the touch's timestamp */
  timestamp: string;
  /** in the conversion's currency, a whole number of its minor units */
  credit: number;
  /** the touch's fraction of the conversion itself (0..1, unrounded): what counts a conversion with no value */
  share: number;
}

/** A conversion's credit under every model; no rows at all when no touch may earn it. */
export type ConversionCredit = Record<Model, CreditRow[]>;

const DAY_MS = 86_400_000;

/**
 * The touches that may earn a conversion's credit, chronological: the non-direct touches inside the
 * lookback window up to the conversion (its own timestamp included), repeats within a session collapsed
 * as for first and last touch; only when there is none, the latest Direct touch in the window. Ties
 * break by messageId, so arrival order never matters.
 */
export function eligibleTouches(
  touches: readonly Touch[],
  conversion: Pick<Conversion, 'timestamp'>,
  options: CreditOptions,
): Touch[] {
  const end = conversion.timestamp;
  const start = new Date(Date.parse(end) - options.creditLookbackDays * DAY_MS).toISOString();
  const inWindow = orderedTouches(
    touches.filter((touch) => touch.timestamp >= start && touch.timestamp <= end),
    options.sessionTimeoutMinutes,
  );
  const nonDirect = inWindow.filter((touch) => touch.channel !== 'Direct');
  if (nonDirect.length > 0) return nonDirect;
  const direct = inWindow[inWindow.length - 1];
  return direct ? [direct] : [];
}

/** A model's weight per eligible touch (chronological); only their ratios matter. */
export function modelWeights(
  model: Model,
  touches: readonly Pick<Touch, 'timestamp'>[],
  conversionAt: string,
  options: Pick<CreditOptions, 'halfLifeDays'>,
): number[] {
  const n = touches.length;
  switch (model) {
    case 'first':
      return touches.map((_, i) => (i === 0 ? 1 : 0));
    case 'last':
      return touches.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'linear':
      return touches.map(() => 1);
    case 'position':
      // 40% to the first, 40% to the last, 20% shared by the ones between; one touch 100%, two 50/50.
      // Integer weights (40(n-2) for each end, 20 for each middle touch) keep the ratios exact.
      if (n <= 2) return touches.map(() => 1);
      return touches.map((_, i) => (i === 0 || i === n - 1 ? 40 * (n - 2) : 20));
    case 'time_decay': {
      const end = Date.parse(conversionAt);
      const halfLifeMs = options.halfLifeDays * DAY_MS;
      return touches.map((touch) => 2 ** (-(end - Date.parse(touch.timestamp)) / halfLifeMs));
    }
  }
}

/**
 * Credits a conversion under every model. Rounding: the value is split in whole minor units of its
 * currency (cents for USD, yen for JPY) by the largest-remainder method: each touch gets the floor of
 * its exact share, and the units left over go one each to the largest remainders, ties to the earlier
 * touch. So the credits of every model sum to the value exactly, and the same touches always give the
 * same credit. First and last name their one touch; the other models list every eligible touch.
 */
export function creditConversion(
  touches: readonly Touch[],
  conversion: Pick<Conversion, 'timestamp' | 'value' | 'currency'>,
  options: CreditOptions,
): ConversionCredit {
  const eligible = eligibleTouches(touches, conversion, options);
  const digits = minorDigits(conversion.currency);
  const scale = 10 ** digits;
  const units = Math.round(conversion.value * scale);
  const credit = {} as ConversionCredit;
  for (const model of MODELS) {
    const weights = modelWeights(model, eligible, conversion.timestamp, options);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const shares = splitUnits(units, weights);
    const single = model === 'first' ? 0 : model === 'last' ? eligible.length - 1 : null;
    credit[model] = eligible.flatMap((touch, i) =>
      single === null || i === single
        ? [
            {
              touchMessageId: touch.messageId,
              timestamp: touch.timestamp,
              channel: touch.channel,
              source: touch.source,
              medium: touch.medium,
              campaign: touch.campaign,
              credit: Number(((shares[i] ?? 0) / scale).toFixed(digits)),
              share: total > 0 ? (weights[i] ?? 0) / total : 0,
            },
          ]
        : [],
    );
  }
  return credit;
}

/**
 * Largest remainder: whole shares of `units` in proportion to `weights`, summing to `units` exactly
 * (all 0 when there is no positive weight). Ties go to the earlier weight.
 */
export function splitUnits(units: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (!(total > 0)) return weights.map(() => 0);
  const sign = units < 0 ? -1 : 1;
  const magnitude = Math.abs(units);
  const exact = weights.map((weight) => (magnitude * weight) / total);
  // The epsilon keeps a share that is whole in exact arithmetic (3 of 300 / 100) from flooring one short.
  const shares = exact.map((share) => Math.floor(share + 1e-9));
  let left = magnitude - shares.reduce((sum, share) => sum + share, 0);
  const order = exact
    .map((share, i) => ({ i, remainder: share - (shares[i] ?? 0) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left--;
  }
  return shares.map((share) => share * sign || 0);
}

/**
 * A model's credit summed per touch source (channel, source, medium, campaign), in order of each source's
 * first touch: what a `Conversion Attributed` event carries, exact in minor units.
 */
export function creditBySource(
  rows: readonly CreditRow[],
  currency: string,
): Array<TouchSource & { credit: number; share: number }> {
  const scale = 10 ** minorDigits(currency);
  const bySource = new Map<string, TouchSource & { units: number; share: number }>();
  for (const row of rows) {
    const key = JSON.stringify([row.channel, row.source, row.medium, row.campaign]);
    const entry = bySource.get(key) ?? {
      channel: row.channel,
      source: row.source,
      medium: row.medium,
      campaign: row.campaign,
      units: 0,
      share: 0,
    };
    entry.units += Math.round(row.credit * scale);
    entry.share += row.share;
    bySource.set(key, entry);
  }
  return [...bySource.values()].map(({ units, share, ...source }) => ({
    ...source,
    credit: units / scale,
    // four decimals: enough to count conversions, and the same text for the same credit
    share: Math.round(share * 10_000) / 10_000,
  }));
}

/** The channels of the touches that shared a conversion's credit, in order: `Paid Search > Email`. */
export function conversionPath(credit: ConversionCredit): string {
  return credit.linear.map((row) => row.channel).join(' > ');
}
