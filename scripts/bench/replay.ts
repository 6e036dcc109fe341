import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEvents } from '../../src/generate';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW_SIZE } from '../../src/replay';
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

/** Runs of the replay; the median is the figure, the spread is printed beside it. */
const RUNS = 5;

export interface ReplayRun {
  rate: number;
  wallSeconds: number;
  peakMb: number;
  identifyCalls: number;
  dbMb: number;
  /** the maximum resident set size `/usr/bin/time -v` reported, when the run was timed by it */
  timedRssMb?: number;
}

/**
 * One `touchpoint replay` of `file` into a new SQLite store, in a fresh process (with `env` added to this
 * one's); under `time` (the path of GNU time, run with `-v`) when given, whose maximum resident set size
 * is then reported too.
 */
export function replayOnce(
  dir: string,
  file: string,
  count: number,
  run: number,
  time?: string,
  env: Record<string, string> = {},
): ReplayRun {
  const db = join(dir, `touchpoint-${run}.db`);
  const started = process.hrtime.bigint();
  const command = [process.execPath, join(ROOT, 'dist/cli.js'), 'replay', file];
  const child = spawnSync(time ?? (command[0] as string), time ? ['-v', ...command] : command.slice(1), {
    env: {
      ...process.env,
      TOUCHPOINT_STORE: `sqlite:${db}`,
      TOUCHPOINT_OUTBOX: join(dir, `outbox-${run}.jsonl`),
      SEGMENT_WRITE_KEY: '',
      TOUCHPOINT_LOG_LEVEL: 'warn',
      ...env,
    },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (child.status !== 0) throw new Error(`replay of ${file} exited ${child.status}:\n${child.stderr}`);
  const output = child.stdout;
  const timedKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1];
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const figure = (pattern: RegExp) => Number((pattern.exec(output)?.[1] ?? 'NaN').replace(/,/g, ''));
  const processed = figure(/processed\s+([\d,]+)/);
  if (processed !== count) throw new Error(`replayed ${processed} of ${count} events:\n${output}`);
  return {
    rate: figure(/\(([\d,]+)\/s\)/),
    wallSeconds,
    peakMb: figure(/peak memory\s+([\d,]+) MB/),
    identifyCalls: figure(/identify calls\s+([\d,]+)/),
    dbMb: statSync(db).size / 1048576,
    ...(timedKb ? { timedRssMb: Math.round(Number(timedKb) / 1024) } : {}),
  };
}

/**
 * Replay throughput as a user sees it: `touchpoint replay events.jsonl` (the built CLI, in a fresh
 * process, default chunk and window) on 100k generated events, into a new SQLite store, identify calls
 * to the local outbox. The figure is the CLI's own count over its own wall time, median of 5 runs
 * (this machine's speed moves by +-10% between runs); the process's peak RSS comes with it.
 */
export async function benchReplay(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-replay-'));
  try {
    const file = join(dir, 'events.jsonl');
    const count = writeStandardStream(file);
    const runs = Array.from({ length: RUNS }, (_, run) => replayOnce(dir, file, count, run));
    // How it scales: one run on three times the events (a bigger store, three windows).
    const bigFile = join(dir, 'events-300k.jsonl');
    const big = replayOnce(dir, bigFile, writeStandardStream(bigFile, 3 * EVENTS), RUNS);
    const byRate = [...runs].sort((a, b) => a.rate - b.rate);
    const median = byRate[Math.floor(RUNS / 2)] as ReplayRun;
    const low = byRate[0] as ReplayRun;
    const high = byRate[RUNS - 1] as ReplayRun;
    return {
      section: 'touchpoint replay into SQLite',
      rows: [
        {
          metric: `replay throughput, 100k events (median of ${RUNS})`,
          value: median.rate,
          unit: 'events/s',
          target: '>= 20,000',
        },
        { metric: 'slowest run', value: low.rate, unit: 'events/s' },
        { metric: 'fastest run', value: high.rate, unit: 'events/s' },
        {
          metric: 'process wall time incl. startup',
          value: Number(median.wallSeconds.toFixed(2)),
          unit: 's',
        },
        { metric: 'peak RSS', value: Math.max(...runs.map((run) => run.peakMb)), unit: 'MB' },
        {
          metric: 'identify calls per 1,000 events',
          value: Math.round((median.identifyCalls / count) * 1000),
          unit: 'calls',
        },
        { metric: 'SQLite file after replay', value: Math.round(median.dbMb), unit: 'MB' },
        { metric: 'replay throughput, 300k events (one run)', value: big.rate, unit: 'events/s' },
        { metric: 'peak RSS, 300k events', value: big.peakMb, unit: 'MB' },
        { metric: 'SQLite file after 300k events', value: Math.round(big.dbMb), unit: 'MB' },
      ],
      notes: [
        `${count.toLocaleString('en-US')} events (${(statSync(file).size / 1048576).toFixed(0)} MB JSONL), ` +
          `chunks of ${DEFAULT_CHUNK_SIZE.toLocaleString('en-US')} events per transaction, ` +
          `write-back window of ${DEFAULT_WINDOW_SIZE.toLocaleString('en-US')}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchReplay().then((result) => console.log(JSON.stringify(result, null, 2)));
}
