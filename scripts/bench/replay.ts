import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { generateEvents } from '../../src/generate';
import { openJsonLines } from '../../src/io/jsonl';
import { createPipeline } from '../../src/pipeline';
import { replayLines } from '../../src/replay';
import type { BenchResult } from './types';

const EVENTS = 100_000;

/** Generates `count` events (the standard stream, seed 1) as a JSONL file. */
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
 * Replay throughput: 100k generated events from a JSONL file through the same code path as
 * `touchpoint replay`, into a fresh SQLite store, with identify calls going to the local outbox.
 */
export async function benchReplay(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-replay-'));
  try {
    const file = join(dir, 'events.jsonl');
    const count = writeStandardStream(file);
    const config = loadConfig({
      TOUCHPOINT_STORE: `sqlite:${join(dir, 'touchpoint.db')}`,
      TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
      TOUCHPOINT_LOG_LEVEL: 'warn',
    });
    const pipeline = await createPipeline(config);
    let peakRss = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const report = await replayLines(pipeline, openJsonLines(file, process.stdin).lines, {
      onChunk: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await pipeline.store.close();
    if (report.processed !== count) throw new Error(`replayed ${report.processed} of ${count} events`);
    return {
      section: 'Replay into SQLite (touchpoint replay)',
      rows: [
        {
          metric: 'replay throughput, 100k events',
          value: Math.round(count / seconds),
          unit: 'events/s',
          target: '>= 20,000',
        },
        { metric: 'replay wall time, 100k events', value: Number(seconds.toFixed(2)), unit: 's' },
        { metric: 'peak RSS during replay', value: Math.round(peakRss / 1048576), unit: 'MB' },
        {
          metric: 'identify calls per 1,000 events (replay, 2,000-event chunks)',
          value: Math.round((report.identifyCalls / count) * 1000),
          unit: 'calls',
        },
        {
          metric: 'SQLite file after replay',
          value: Math.round(statSync(join(dir, 'touchpoint.db')).size / 1048576),
          unit: 'MB',
        },
      ],
      notes: [
        `${count.toLocaleString('en-US')} events (${(statSync(file).size / 1048576).toFixed(0)} MB JSONL), ${report.touches.toLocaleString('en-US')} touches`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchReplay().then((result) => console.log(JSON.stringify(result, null, 2)));
}
