import type { Touch } from '../../src/attribution';
import { touchOn } from '../support/touches';
import { attributionReport, MODELS, type Conversion } from '../../src/conversion';

const credit = { creditLookbackDays: 30, halfLifeDays: 7, sessionTimeoutMinutes: 30 };

const touch = (
  messageId: string,
  timestamp: string,
  channel: Touch['channel'],
  campaign: string | null = null,
) => touchOn(messageId, timestamp, channel, { campaign });

const conversion = (messageId: string, timestamp: string, value: number): Conversion => ({
  ownerKey: 'anon:a1',
  messageId,
  timestamp,
  event: 'Order Completed',
  value,
  currency: 'USD',
  credited: null,
});

// Two profiles: one with Email then Paid Search before a 100.00 order, one order with no touch at all.
const touches = [
  touch('t1', '2026-03-01T00:00:00.000Z', 'Email', 'spring'),
  touch('t2', '2026-03-08T00:00:00.000Z', 'Paid Search'),
];
const inputs = [
  { conversion: conversion('o1', '2026-03-15T00:00:00.000Z', 100), touches },
  { conversion: conversion('o2', '2026-03-16T00:00:00.000Z', 20.5), touches: [] },
  { conversion: conversion('o3', '2026-03-09T00:00:00.000Z', 10), touches },
];

describe('attributionReport', () => {
  it('sums every model to the same total revenue, crediting conversions with no touch to (no touch)', () => {
    const report = attributionReport(inputs, { models: MODELS, by: 'channel', credit });

    expect(report).toMatchObject({ conversions: 3, revenue: 130.5, currencies: ['USD'] });
    for (const model of MODELS) {
      const rows = report.models[model] ?? [];
      expect(rows.reduce((sum, row) => sum + row.revenue, 0)).toBeCloseTo(130.5, 10);
      expect(rows.reduce((sum, row) => sum + row.conversions, 0)).toBeCloseTo(3, 10);
      expect(rows).toContainEqual({ key: '(no touch)', conversions: 1, revenue: 20.5 });
    }
    expect(report.models.first).toEqual([
      { key: 'Email', conversions: 2, revenue: 110 },
      { key: '(no touch)', conversions: 1, revenue: 20.5 },
    ]);
    expect(report.models.linear).toEqual([
      { key: 'Email', conversions: 1, revenue: 55 }, // ties by key
      { key: 'Paid Search', conversions: 1, revenue: 55 },
      { key: '(no touch)', conversions: 1, revenue: 20.5 },
    ]);
  });

  it('groups by campaign, keeps only the models asked for, and counts the top paths', () => {
    const report = attributionReport(inputs, {
      models: ['last', 'first'],
      by: 'campaign',
      credit,
      topPaths: 1,
    });

    expect(Object.keys(report.models)).toEqual(['first', 'last']);
    expect(report.models.last).toEqual([
      { key: '(none)', conversions: 2, revenue: 110 },
      { key: '(no touch)', conversions: 1, revenue: 20.5 },
    ]);
    expect(report.paths).toEqual([{ path: 'Email > Paid Search', conversions: 2, revenue: 110 }]);
    expect(attributionReport(inputs, { models: ['first'], by: 'channel', credit }).paths).toEqual([
      { path: 'Email > Paid Search', conversions: 2, revenue: 110 },
      { path: '(no touch)', conversions: 1, revenue: 20.5 },
    ]);
  });

  it('reports nothing for no conversions', () => {
    expect(attributionReport([], { models: MODELS, by: 'source', credit })).toMatchObject({
      conversions: 0,
      revenue: 0,
      paths: [],
      models: { first: [], last: [], linear: [], position: [], time_decay: [] },
    });
  });
});
