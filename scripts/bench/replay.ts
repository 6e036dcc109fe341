import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEvents } from '../../src/generate';
import type { BenchResult } from './types';

const ROOT = resolve(__dirname, '../..');
const EVENTS = 100_000;

/** Writes the standard stream (seed 1, from 2026-01-01) cut to `count` events as a JSONL file. */
export function writeStandardStream(path: string, count = EVENTS): number {
  const events = generateEvents({
    users: Math.ceil(count / 10),
    seed: 1,
    start: new Date('2026-01-01T00:00:00Z'),
  }).slice(0, count);
  writeFileSync(path, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
  return events.length;
}

/**
 * Replay throughput as a user sees it: `touchpoint replay events.jsonl` (the built CLI, in a fresh
 * process) on 100k generated events, into a new SQLite store, identify calls to the local outbox.
 * The figure is the CLI's own count over its own wall time; the process's peak RSS comes with it.
 */
export async function benchReplay(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-replay-'));
  try {
    const file = join(dir, 'events.jsonl');
    const count = writeStandardStream(file);
    const started = process.hrtime.bigint();
    const output = execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'replay', file], {
      env: {
        ...process.env,
        TOUCHPOINT_STORE: `sqlite:${join(dir, 'touchpoint.db')}`,
        TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
        SEGMENT_WRITE_KEY: '',
        TOUCHPOINT_LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const figure = (pattern: RegExp) => Number((pattern.exec(output)?.[1] ?? 'NaN').replace(/,/g, ''));
    const processed = figure(/processed\s+([\d,]+)/);
    if (processed !== count) throw new Error(`replayed ${processed} of ${count} events:\n${output}`);
    return {
      section: 'touchpoint replay into SQLite',
      rows: [
        {
          metric: 'replay throughput, 100k events',
          value: figure(/\(([\d,]+)\/s\)/),
          unit: 'events/s',
          target: '>= 20,000',
        },
        { metric: 'process wall time incl. startup', value: Number(wallSeconds.toFixed(2)), unit: 's' },
        { metric: 'peak RSS', value: figure(/peak memory\s+([\d,]+) MB/), unit: 'MB' },
        {
          metric: 'identify calls per 1,000 events',
          value: Math.round((figure(/identify calls\s+([\d,]+)/) / count) * 1000),
          unit: 'calls',
        },
        {
          metric: 'SQLite file after replay',
          value: Math.round(statSync(join(dir, 'touchpoint.db')).size / 1048576),
          unit: 'MB',
        },
      ],
      notes: [
        `${count.toLocaleString('en-US')} events (${(statSync(file).size / 1048576).toFixed(0)} MB JSONL), chunks of 5,000 events per transaction`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchReplay().then((result) => console.log(JSON.stringify(result, null, 2)));
}
