import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { RawMessage } from '../../src/generate';
import { generateEventStream } from '../../src/generate/stream';
import { writeJsonLines } from '../../src/io/jsonl';
import { replayOnce } from './replay';
import type { BenchResult } from './types';

const ROOT = resolve(__dirname, '../..');
/** The stream sizes replayed: the floors are measured on the first. */
const SIZES = [100_000, 300_000, 1_000_000] as const;
const TIME = '/usr/bin/time';
/** The heap cap of the bounded-memory run (README: replaying millions of events in bounded memory). */
const CAPPED_HEAP_MB = 512;

/**
 * `writeStandardStream` (scripts/bench/replay.ts: seed 1, from 2026-01-01, a tenth as many visitors as
 * events, cut to `count`) streamed, so a million events are never in memory.
 */
async function writeStandardStreamFile(path: string, count: number): Promise<number> {
  const events = generateEventStream({
    users: Math.ceil(count / 10),
    seed: 1,
    start: new Date('2026-01-01T00:00:00Z'),
  });
  const cut = (async function* (): AsyncGenerator<RawMessage> {
    let taken = 0;
    for await (const event of events) {
      if (taken++ === count) return;
      yield event;
    }
  })();
  const file = createWriteStream(path);
  const written = await writeJsonLines(cut, file);
  file.end();
  await finished(file);
  return written;
}

/** Events per second of one floor (scripts/bench/floor-worker.ts) in a fresh process. */
function floorRate(floor: 'parse' | 'classify' | 'sqlite', file: string, db: string): number {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'floor-worker.ts'), floor, file, db],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const { events, seconds } = JSON.parse(output.trim().split('\n').pop() as string) as {
    events: number;
    seconds: number;
  };
  return Math.round(events / seconds);
}

/**
 * Replay against its floors, in one run: on the standard stream's first 100k events, reading and
 * JSON.parse alone, parse + validate + classify, and a minimal better-sqlite3 writer doing that plus one
 * row per event into 3 tables (WAL, synchronous=NORMAL, 50k-row transactions), each in a fresh process;
 * then `touchpoint replay` of 100k, 300k and 1M events (one run each; the 1M one under `/usr/bin/time -v`
 * for its peak RSS), and the 1M one again with the heap capped (NODE_OPTIONS). The ratios are the figures: they hold across the machine's speed swings.
 */
export async function benchReplayFloors(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-floors-'));
  try {
    const files: Array<{ file: string; count: number }> = [];
    for (const size of SIZES) {
      const file = join(dir, `events-${size}.jsonl`);
      files.push({ file, count: await writeStandardStreamFile(file, size) });
    }
    const first = files[0] as { file: string; count: number };
    const parse = floorRate('parse', first.file, join(dir, 'parse.db'));
    const classify = floorRate('classify', first.file, join(dir, 'classify.db'));
    const writer = floorRate('sqlite', first.file, join(dir, 'floor.db'));
    const runs = files.map(({ file, count }, run) =>
      replayOnce(dir, file, count, run, existsSync(TIME) && run === files.length - 1 ? TIME : undefined),
    );
    const [small, , large] = runs as [(typeof runs)[number], (typeof runs)[number], (typeof runs)[number]];
    // The same million with V8's heap capped. The live set is small (80-93 MB after a full GC at each
    // window's write-back, 400k events measured); uncapped, V8 lets the heap grow to about four times the
    // live set between full collections, and a cap makes it collect sooner instead.
    const last = files.at(-1) as { file: string; count: number };
    const capped = replayOnce(dir, last.file, last.count, SIZES.length, existsSync(TIME) ? TIME : undefined, {
      NODE_OPTIONS: `--max-old-space-size=${CAPPED_HEAP_MB}`,
    });
    const ratio = (value: number) => Number(value.toFixed(2));
    return {
      section: 'replay against its floors (one run)',
      rows: [
        { metric: 'floor: read + JSON.parse, 100k events', value: parse, unit: 'events/s' },
        { metric: 'floor: parse + validate + classify, 100k events', value: classify, unit: 'events/s' },
        {
          metric: 'floor: minimal SQLite writer (parse, validate, classify, 3 rows per event), 100k',
          value: writer,
          unit: 'events/s',
        },
        ...runs.map((run, i) => ({
          metric: `replay, ${(files[i]?.count ?? 0).toLocaleString('en-US')} events`,
          value: run.rate,
          unit: 'events/s',
        })),
        {
          metric: 'replay 100k / minimal writer',
          value: ratio(small.rate / writer),
          unit: 'x',
          target: '>= 0.7',
        },
        {
          metric: 'replay 1M / replay 100k throughput',
          value: ratio(large.rate / small.rate),
          unit: 'x',
          target: '>= 0.9',
        },
        {
          metric: `peak RSS, replay of 1M events (${large.timedRssMb === undefined ? 'process.resourceUsage' : '/usr/bin/time -v'})`,
          value: large.timedRssMb ?? large.peakMb,
          unit: 'MB',
          target: '<= 300',
        },
        {
          metric: `peak RSS, replay of 1M events, NODE_OPTIONS=--max-old-space-size=${CAPPED_HEAP_MB}`,
          value: capped.timedRssMb ?? capped.peakMb,
          unit: 'MB',
          target: '<= 300',
        },
        {
          metric: `replay, 1M events, heap capped at ${CAPPED_HEAP_MB} MB / uncapped`,
          value: ratio(capped.rate / large.rate),
          unit: 'x',
        },
        {
          metric: 'replay 100k / parse + validate + classify',
          value: ratio(small.rate / classify),
          unit: 'x',
        },
        { metric: 'SQLite file after 1M events', value: Math.round(large.dbMb), unit: 'MB' },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchReplayFloors().then((result) => console.log(JSON.stringify(result, null, 2)));
}
