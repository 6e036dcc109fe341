import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runTouchpoint } from '../support/cli';
import { generateEvents, type RawMessage } from '../../src/generate';
import { pageEvent } from '../support/events';

describe('touchpoint replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-replay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (name: string) => ({
    TOUCHPOINT_STORE: `sqlite:${join(dir, `${name}.db`)}`,
    TOUCHPOINT_OUTBOX: join(dir, `${name}-outbox.jsonl`),
  });
  const lines =
    ['a1', 'a2', 'a3']
      .map((anonymousId, i) =>
        JSON.stringify(
          pageEvent({
            anonymousId,
            at: `2026-03-0${i + 1}T10:00:00Z`,
            url: 'https://shop.example.com/?utm_source=x',
          }),
        ),
      )
      .join('\n') + '\n';

  it('decompresses gzip piped into `replay -` instead of dead-lettering its bytes', async () => {
    const { code, stdout } = await runTouchpoint(['replay', '-'], {
      env: env('stdin'),
      stdin: gzipSync(lines),
    });

    expect(code).toBe(0);
    expect(stdout).toMatch(/received\s+3 messages/);
    expect(stdout).toMatch(/processed\s+3/);
    expect(stdout).toMatch(/dead-lettered\s+0/);
  });

  it('decompresses a gzip file whatever its name', async () => {
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, gzipSync(lines));

    const { code, stdout } = await runTouchpoint(['replay', file], { env: env('file') });

    expect(code).toBe(0);
    expect(stdout).toMatch(/processed\s+3/);
  });

  it('names a missing input file in one line, exit 1', async () => {
    const missing = join(dir, 'missing.jsonl');

    const { code, stderr } = await runTouchpoint(['replay', missing], { env: env('missing') });

    expect(code).toBe(1);
    expect(stderr).toBe(`touchpoint replay: no such file or directory: ${missing}\n`);
  });

  /** A CSV cell: quoted when it holds a comma, quote or line break. */
  const cell = (value: unknown): string => {
    const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const identifiesOf = (outbox: string) =>
    readFileSync(outbox, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RawMessage)
      .filter((message) => message.type === 'identify') // not the Conversion Attributed tracks
      // recommendations_updated_at is the replay's wall clock
      .map(({ userId, anonymousId, traits }) => {
        const { recommendations_updated_at: _at, ...kept } = traits as Record<string, unknown>;
        return { userId, anonymousId, traits: kept };
      });

  it('replays a CSV export through a column mapping to the same traits as the JSON lines', async () => {
    // Prepare: generated traffic as JSON lines, and as a warehouse-style CSV with its own column names.
    const events = generateEvents({ users: 120, seed: 5, start: new Date('2026-03-01T00:00:00Z') });
    const jsonl = join(dir, 'export.jsonl');
    writeFileSync(jsonl, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    const columns = {
      type: 'type',
      id: 'messageId',
      anonymous_id: 'anonymousId',
      user_id: 'userId',
      previous_id: 'previousId',
      timestamp: 'timestamp',
      event: 'event',
      context_page: 'context.page:json',
      properties: 'properties:json',
      traits: 'traits:json',
    };
    const pick = (event: RawMessage) => [
      event.type,
      event.messageId,
      event.anonymousId,
      event.userId,
      event.previousId,
      event.timestamp,
      event.event,
      (event.context as { page?: unknown } | undefined)?.page,
      event.properties,
      event.traits,
    ];
    const csv = join(dir, 'export.csv');
    writeFileSync(
      csv,
      [Object.keys(columns), ...events.map(pick)].map((fields) => fields.map(cell).join(',')).join('\r\n'),
    );
    const mapping = Object.entries(columns)
      .map(([column, path]) => `${column}=${path}`)
      .join(',');

    // Act
    const fromJsonl = await runTouchpoint(['replay', jsonl], { env: env('from-jsonl') });
    const fromCsv = await runTouchpoint(['replay', csv, '--columns', mapping], { env: env('from-csv') });

    // Assess: every row processed, and the same identify calls with the same traits.
    expect(fromCsv.code).toBe(0);
    expect(fromCsv.stdout).toContain(`processed      ${events.length.toLocaleString('en-US')}\n`);
    expect(fromCsv.stdout).toMatch(/dead-lettered\s+0/);
    const expected = identifiesOf(env('from-jsonl').TOUCHPOINT_OUTBOX);
    expect(fromJsonl.code).toBe(0);
    expect(expected.length).toBeGreaterThan(50);
    expect(identifiesOf(env('from-csv').TOUCHPOINT_OUTBOX)).toEqual(expected);
  });

  it('refuses --columns for JSON lines and a bad mapping before opening a store (exit 2)', async () => {
    const file = join(dir, 'plain.jsonl');
    writeFileSync(file, lines);

    const jsonl = await runTouchpoint(['replay', file, '--columns', 'a=userId'], { env: env('usage') });
    const bad = await runTouchpoint(['replay', file, '--format', 'csv', '--columns', 'a'], {
      env: env('usage'),
    });

    expect(jsonl.code).toBe(2);
    expect(jsonl.stderr).toContain('--columns maps CSV columns');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"a": expected column=field.path[:type]');
  });
});
