import type { Touch } from '../attribution';
import type { Conversion } from './conversion';
import {
  conversionPath,
  creditConversion,
  MODELS,
  type CreditOptions,
  type CreditRow,
  type Model,
} from './models';

/** What `touchpoint report` groups credit by. */
export const REPORT_KEYS = ['channel', 'source', 'campaign'] as const;
export type ReportKey = (typeof REPORT_KEYS)[number];

/** The key of a conversion no touch preceded (it still counts, so every model sums to the same revenue). */
export const NO_TOUCH = '(no touch)';
/** The key of a touch without a campaign, under `--by campaign`. */
export const NO_CAMPAIGN = '(none)';

/** One key's credit under one model: conversions (fractional, by share) and revenue. */
export interface ReportRow {
  key: string;
  conversions: number;
  revenue: number;
}

/** A channel sequence that led to conversions, with how many and their revenue. */
export interface PathRow {
  path: string;
  conversions: number;
  revenue: number;
}

/** The report: totals, each model's credit per key (revenue first), and the top conversion paths. */
export interface AttributionReport {
  by: ReportKey;
  conversions: number;
  /** the sum of the conversion values; every model's revenue sums to it */
  revenue: number;
  /** the currencies seen (values are summed as they are, never converted) */
  currencies: string[];
  models: Partial<Record<Model, ReportRow[]>>;
  paths: PathRow[];
}

export interface ReportOptions {
  models: readonly Model[];
  by: ReportKey;
  credit: CreditOptions;
  /** how many paths to keep, most conversions first (default 10) */
  topPaths?: number;
}

/** A conversion with its profile's touches. */
export interface CreditedConversion {
  conversion: Conversion;
  touches: readonly Touch[];
}

/** Sums in units of 10^-4, exact for every currency (none has more than four minor digits). */
const UNIT = 10_000;

/**
 * Credits every conversion under every model asked for and sums the credit per key (`by`), computed
 * exactly as the write-back computes it. A conversion without any touch is credited to `(no touch)`, so
 * each model's revenue sums to the total. Rows are sorted by revenue, then conversions, then key.
 */
export function attributionReport(
  conversions: Iterable<CreditedConversion>,
  options: ReportOptions,
): AttributionReport {
  const sums = new Map<Model, Map<string, { shares: number; units: number }>>();
  const paths = new Map<string, { conversions: number; units: number }>();
  const currencies = new Set<string>();
  let count = 0;
  let totalUnits = 0;
  const add = (model: Model, key: string, share: number, value: number) => {
    const byKey = sums.get(model) ?? new Map<string, { shares: number; units: number }>();
    sums.set(model, byKey);
    const entry = byKey.get(key) ?? { shares: 0, units: 0 };
    entry.shares += share;
    entry.units += Math.round(value * UNIT);
    byKey.set(key, entry);
  };
  for (const { conversion, touches } of conversions) {
    count++;
    totalUnits += Math.round(conversion.value * UNIT);
    currencies.add(conversion.currency);
    const credit = creditConversion(touches, conversion, options.credit);
    for (const model of options.models) {
      const rows = credit[model];
      if (rows.length === 0) add(model, NO_TOUCH, 1, conversion.value);
      for (const row of rows) add(model, keyOf(row, options.by), row.share, row.credit);
    }
    const path = conversionPath(credit) || NO_TOUCH;
    const entry = paths.get(path) ?? { conversions: 0, units: 0 };
    entry.conversions++;
    entry.units += Math.round(conversion.value * UNIT);
    paths.set(path, entry);
  }
  const models: AttributionReport['models'] = {};
  for (const model of MODELS.filter((m) => options.models.includes(m))) {
    models[model] = [...(sums.get(model) ?? [])]
      .map(([key, { shares, units }]) => ({ key, conversions: round(shares, 4), revenue: units / UNIT }))
      .sort((a, b) => b.revenue - a.revenue || b.conversions - a.conversions || compareText(a.key, b.key));
  }
  const topPaths = [...paths]
    .map(([path, { conversions: n, units }]) => ({ path, conversions: n, revenue: units / UNIT }))
    .sort((a, b) => b.conversions - a.conversions || b.revenue - a.revenue || compareText(a.path, b.path))
    .slice(0, options.topPaths ?? 10);
  return {
    by: options.by,
    conversions: count,
    revenue: totalUnits / UNIT,
    currencies: [...currencies].sort(),
    models,
    paths: topPaths,
  };
}

function keyOf(row: CreditRow, by: ReportKey): string {
  if (by === 'campaign') return row.campaign ?? NO_CAMPAIGN;
  return row[by];
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
