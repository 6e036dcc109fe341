import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS, type AttributionReport } from '../../src/conversion';
import { generateEvents } from '../../src/generate';
import { runTouchpoint } from '../support/cli';

describe('touchpoint report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-report-'));
  const env = {
    TOUCHPOINT_STORE: `sqlite:${join(dir, 'store.db')}`,
    TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
  };
  const events = generateEvents({ users: 300, seed: 21, start: new Date('2026-03-01T00:00:00Z') });
  const orders = events.filter((event) => event.event === 'Order Completed');
  const revenueOf = (list: typeof orders) =>
    Math.round(
      list.reduce((sum, event) => sum + Number((event.properties as { revenue: number }).revenue), 0) * 100,
    ) / 100;

  beforeAll(async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    expect((await runTouchpoint(['replay', file], { env })).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('credits the same total revenue under every model (JSON), equal to the orders sent', async () => {
    const { code, stdout } = await runTouchpoint(['report', '--format', 'json'], { env });

    expect(code).toBe(0);
    const report = JSON.parse(stdout) as AttributionReport;
    expect(orders.length).toBeGreaterThan(20);
    expect(report.conversions).toBe(orders.length);
    expect(report.revenue).toBe(revenueOf(orders));
    for (const model of MODELS) {
      const rows = report.models[model] ?? [];
      expect(rows.length).toBeGreaterThan(2);
      expect(Math.round(rows.reduce((sum, row) => sum + row.revenue, 0) * 100) / 100).toBe(report.revenue);
      expect(Object.keys(rows[0] ?? {})).toEqual(['key', 'conversions', 'revenue']);
    }
    expect(report.paths.length).toBeGreaterThan(2);
    expect(report.paths[0]).toEqual({
      path: expect.any(String),
      conversions: expect.any(Number),
      revenue: expect.any(Number),
    });
  });

  it('prints a table whose total row is the same figure for every model, then the top paths', async () => {
    const { code, stdout } = await runTouchpoint(['report', '--models', 'time_decay,first'], { env });

    expect(code).toBe(0);
    const total = revenueOf(orders).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(stdout).toContain(`revenue by channel\nchannel`);
    expect(stdout).toMatch(
      new RegExp(`^total\\s+${total.replace(/[.,]/g, '\\$&')}\\s+${total.replace(/[.,]/g, '\\$&')}$`, 'm'),
    );
    expect(stdout.indexOf('first')).toBeLessThan(stdout.indexOf('time_decay'));
    expect(stdout).toContain('top conversion paths');
  });

  it('filters by --since/--until, groups by --by, and writes CSV to --out', async () => {
    const since = '2026-03-05';
    const until = '2026-03-10T12:00:00Z';
    const inRange = orders.filter(
      (event) =>
        String(event.timestamp) >= '2026-03-05T00:00:00.000Z' &&
        String(event.timestamp) < '2026-03-10T12:00:00.000Z',
    );
    const out = join(dir, 'credit.csv');

    const json = await runTouchpoint(
      ['report', '--format', 'json', '--since', since, '--until', until, '--by', 'source'],
      { env },
    );
    const csv = await runTouchpoint(['report', '--format', 'csv', '--by', 'campaign', '--out', out], { env });

    expect(JSON.parse(json.stdout)).toMatchObject({
      by: 'source',
      conversions: inRange.length,
      revenue: revenueOf(inRange),
    });
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(orders.length);
    expect(csv).toMatchObject({ code: 0, stdout: '' });
    expect(csv.stderr).toContain(`report (csv) written to ${out}`);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('kind,model,campaign,conversions,revenue');
    expect(lines.filter((line) => line.startsWith('credit,linear,')).length).toBeGreaterThan(1);
    expect(lines.some((line) => line.startsWith('path,,'))).toBe(true);
  });

  it.each([
    [['--by', 'medium'], '--by medium: choose from channel, source, campaign'],
    [
      ['--models', 'linear,u_shaped'],
      '--models: u_shaped; choose from first, last, linear, position, time_decay',
    ],
    [['--format', 'pdf'], '--format pdf: choose from table, csv, json, html'],
    [['--since', 'yesterday'], '--since yesterday: not an ISO-8601 date'],
    [['--since', '2026-03-02', '--until', '2026-03-01'], '--since must be before --until'],
  ])('refuses %j with a usage error before reading the store', async (flags, message) => {
    const { code, stderr } = await runTouchpoint(['report', ...flags], {
      env: { TOUCHPOINT_STORE: 'sqlite:/nonexistent/x.db' },
    });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
