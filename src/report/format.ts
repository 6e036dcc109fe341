import { MODELS, type AttributionReport, type Model } from '../conversion';

/** The report's output formats (`--format`). */
export const REPORT_FORMATS = ['table', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const money = (value: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The models a report holds, in report order. */
export function reportModels(report: AttributionReport): Model[] {
  return MODELS.filter((model) => report.models[model] !== undefined);
}

/** Every key any model credited, by the first model's order (revenue first), then the others'. */
function reportKeys(report: AttributionReport): string[] {
  const keys: string[] = [];
  for (const model of reportModels(report))
    for (const row of report.models[model] ?? []) if (!keys.includes(row.key)) keys.push(row.key);
  return keys;
}

/** The cell of `key` under `model`. */
function cellOf(report: AttributionReport, model: Model, key: string) {
  return report.models[model]?.find((row) => row.key === key) ?? { key, conversions: 0, revenue: 0 };
}

/**
 * The report as terminal text: revenue per key and model (every column sums to the total), the
 * conversions per key and model, and the top conversion paths.
 */
export function reportTable(report: AttributionReport): string {
  const models = reportModels(report);
  const keys = reportKeys(report);
  const width = Math.max(report.by.length, 12, ...keys.map((key) => Math.min(key.length, 40))) + 2;
  const column = Math.max(12, ...models.map((model) => model.length + 2));
  const line = (label: string, cells: string[]) =>
    label.slice(0, 40).padEnd(width) + cells.map((cell) => cell.padStart(column)).join('');
  const currency = report.currencies.length === 1 ? ` (${report.currencies[0]})` : '';
  const table = (field: 'revenue' | 'conversions', show: (value: number) => string) => [
    `${field} by ${report.by}`,
    line(report.by, models),
    ...keys.map((key) =>
      line(
        key,
        models.map((model) => show(cellOf(report, model, key)[field])),
      ),
    ),
    line(
      'total',
      models.map((model) => show(sum(report.models[model] ?? [], field))),
    ),
    '',
  ];
  const lines = [
    `${report.conversions.toLocaleString('en-US')} conversions, revenue ${money(report.revenue)}${currency}`,
    '',
    ...table('revenue', money),
    ...table('conversions', count),
    'top conversion paths',
    ...report.paths.map(
      (path) => `${String(path.conversions).padStart(6)}  ${money(path.revenue).padStart(12)}  ${path.path}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

/**
 * The report as CSV: `kind,model,key,conversions,revenue` rows, `credit` for each model and key and
 * `path` for each top path (model empty, the channel sequence as key).
 */
export function reportCsv(report: AttributionReport): string {
  const rows = [['kind', 'model', report.by, 'conversions', 'revenue']];
  for (const model of reportModels(report))
    for (const row of report.models[model] ?? [])
      rows.push(['credit', model, row.key, String(row.conversions), String(row.revenue)]);
  for (const path of report.paths)
    rows.push(['path', '', path.path, String(path.conversions), String(path.revenue)]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** The report as JSON: `{"models": {"<model>": [{key, conversions, revenue}]}, "paths": [...]}` and totals. */
export function reportJson(report: AttributionReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function sum<K extends 'revenue' | 'conversions'>(rows: ReadonlyArray<Record<K, number>>, field: K): number {
  // revenue is in whole units of 10^-4 at most, so the rounding only removes binary noise
  return Math.round(rows.reduce((total, row) => total + row[field], 0) * 10_000) / 10_000;
}
