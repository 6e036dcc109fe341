// Cold-start figures for the Lambda bundle: its size, and in a fresh `node` process the time to require
// it and to handle a first page event (memory store, no write key: traits go to an outbox in a temp dir).
// Run alone with `npx tsx scripts/cold-start.ts`; scripts/bench.ts imports benchColdStart().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchResult } from './bench/types';

const ROOT = resolve(__dirname, '..');
const BUNDLE = join(ROOT, 'dist', 'lambda', 'segment-destination.js');
/** Fresh processes measured; the median is reported. */
const RUNS = 5;

/** What the child process prints: milliseconds from its start of `require` to each point. */
interface ChildTiming {
  requireMs: number;
  firstEventMs: number;
}

/** Marks the child's timing line: the bundle writes its own lines (CloudWatch EMF metrics) to stdout too. */
const TIMING_MARK = 'cold-start-timing ';

// Runs in the child: require the bundle, handle one page event as Segment would deliver it.
const CHILD = `
const TIMING = ${JSON.stringify(TIMING_MARK)};
const started = performance.now();
const { handler } = require(process.argv[1]);
const required = performance.now();
const event = {
  type: 'page', messageId: 'cold-start-1', anonymousId: 'cold-start-anon', timestamp: '2026-03-01T10:00:00.000Z',
  context: { page: { url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email', referrer: '' } },
  properties: {},
};
handler(event, { getRemainingTimeInMillis: () => 5000, awsRequestId: 'cold-start' }).then((report) => {
  if (report.processed !== 1) throw new Error('the first event was not processed: ' + JSON.stringify(report));
  process.stdout.write('\\n' + TIMING + JSON.stringify({ requireMs: required - started, firstEventMs: performance.now() - started }) + '\\n');
});
`;

/** Builds the bundle with the project's own build (scripts/build.mjs), so the figures are the deployed file's. */
async function ensureBundle(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Bundle size and median cold start (require, and require + first event) over RUNS fresh processes. */
export async function benchColdStart(): Promise<BenchResult> {
  await ensureBundle();
  const bytes = statSync(BUNDLE).size;
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-cold-start-'));
  const timings: ChildTiming[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const output = execFileSync(process.execPath, ['-e', CHILD, BUNDLE], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          TOUCHPOINT_STORE: 'memory',
          TOUCHPOINT_OUTBOX: join(dir, `outbox-${run}.jsonl`),
          TOUCHPOINT_LOG_LEVEL: 'silent',
          // the AWS SDK warns on Node 20 (it will require 22): not part of what we measure
          AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const line = output.split('\n').find((text) => text.startsWith(TIMING_MARK));
      if (!line) throw new Error(`the cold-start child printed no timing line:\n${output}`);
      timings.push(JSON.parse(line.slice(TIMING_MARK.length)) as ChildTiming);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    section: 'Cold start (Lambda bundle)',
    rows: [
      { metric: 'bundle size (minified)', value: round(bytes / 1024), unit: 'KB', target: '<= 1,024 KB' },
      {
        metric: 'require bundle (median)',
        value: round(median(timings.map((t) => t.requireMs))),
        unit: 'ms',
      },
      {
        metric: 'require + first page event (median)',
        value: round(median(timings.map((t) => t.firstEventMs))),
        unit: 'ms',
        target: '<= 300 ms',
      },
    ],
    notes: [
      `${RUNS} fresh \`node ${process.version}\` processes; TOUCHPOINT_STORE=memory, no write key (outbox in a temp dir)`,
      'excludes the Lambda runtime init and the first DynamoDB/Segment round trips of a real cold start',
    ],
  };
}

if (require.main === module) {
  benchColdStart().then(
    (result) => {
      console.log(result.section);
      for (const row of result.rows)
        console.log(
          `  ${row.metric}: ${row.value} ${row.unit}${row.target ? ` (target ${row.target})` : ''}`,
        );
      for (const note of result.notes ?? []) console.log(`  - ${note}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
