import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { attributionReport, MODELS, REPORT_KEYS, type Model } from '../../conversion';
import { creditOptionsOf } from '../../pipeline';
import {
  creditedConversions,
  reportCsv,
  reportHtml,
  reportJson,
  reportTable,
  REPORT_FORMATS,
  type ReportFormat,
} from '../../report';
import { UsageError } from '../args';
import { openExistingStore } from '../store';
import { defineCommand } from '../types';

/**
 * `touchpoint report`: every stored conversion credited under the chosen models, summed per channel,
 * source or campaign, with the top conversion paths; as a table, CSV, JSON or one self-contained HTML
 * page with charts.
 */
export const reportCommand = defineCommand({
  name: 'report',
  summary: 'conversions and revenue per channel/source/campaign under each credit model, and the top paths',
  positionals: [],
  flags: {
    models: {
      type: 'string',
      placeholder: 'list',
      default: MODELS.join(','),
      help: `comma-separated models: ${MODELS.join(', ')}`,
    },
    by: {
      type: 'string',
      placeholder: 'key',
      default: 'channel',
      help: `group by ${REPORT_KEYS.join(', ')}`,
    },
    since: { type: 'string', placeholder: 'date', help: 'only conversions at or after this date (ISO-8601)' },
    until: { type: 'string', placeholder: 'date', help: 'only conversions before this date (ISO-8601)' },
    format: {
      type: 'string',
      placeholder: 'format',
      default: 'table',
      help: `${REPORT_FORMATS.join(', ')} (html: one self-contained page with charts)`,
    },
    out: { type: 'string', placeholder: 'file', help: 'write to this file instead of stdout' },
  },
  async run({ flags }, io) {
    const models = parseModels(flags.models);
    const by = oneOf('--by', flags.by, REPORT_KEYS);
    const format = oneOf('--format', flags.format, REPORT_FORMATS);
    const since = flags.since === undefined ? undefined : isoDate('--since', flags.since);
    const until = flags.until === undefined ? undefined : isoDate('--until', flags.until);
    if (since && until && since >= until) throw new UsageError('--since must be before --until');

    const app = await openExistingStore(io);
    try {
      const conversions = await creditedConversions(app.store, { since, until });
      const report = attributionReport(conversions, { models, by, credit: creditOptionsOf(app.settings) });
      const text = render(format, report, { since, until });
      if (flags.out) {
        writeFileSync(flags.out, text);
        io.stderr.write(`report (${format}) written to ${resolve(flags.out)}\n`);
      } else {
        io.stdout.write(text);
      }
      return 0;
    } finally {
      await app.close();
    }
  },
});

function render(
  format: ReportFormat,
  report: ReturnType<typeof attributionReport>,
  range: { since: string | undefined; until: string | undefined },
): string {
  switch (format) {
    case 'table':
      return reportTable(report);
    case 'csv':
      return reportCsv(report);
    case 'json':
      return reportJson(report);
    case 'html': {
      const span = range.since || range.until ? ` ${range.since ?? '…'} to ${range.until ?? '…'}` : '';
      return reportHtml(report, {
        title: `touchpoint: conversion credit by ${report.by}${span}`,
        generatedAt: new Date().toISOString(),
      });
    }
  }
}

function parseModels(list: string): Model[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(MODELS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(`--models: ${unknown.join(', ') || 'none given'}; choose from ${MODELS.join(', ')}`);
  return MODELS.filter((model) => names.includes(model));
}

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} ${value}: choose from ${choices.join(', ')}`);
}

/** A date or date-time as the ISO-8601 UTC text conversions are stored with. */
function isoDate(flag: string, value: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new UsageError(`${flag} ${value}: not an ISO-8601 date (2026-03-01 or 2026-03-01T12:00:00Z)`);
  return new Date(ms).toISOString();
}
