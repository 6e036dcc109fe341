/**
 * `npm run bench`: every benchmark in one run, printed as the Markdown table the README carries.
 * Run it on an otherwise idle machine; the figures are wall-clock and move with load.
 * `npm run bench -- replay handler` runs only the named sections.
 */
import { cpus, totalmem } from 'node:os';
import { benchClassifier } from './bench/classify';
import { benchHandler } from './bench/handler';
import { benchPersonalize } from './bench/personalize';
import { benchReplay } from './bench/replay';
import { benchReplayFloors } from './bench/replay-floors';
import { benchStream } from './bench/stream';
import type { BenchResult } from './bench/types';
import { benchColdStart } from './cold-start';

const SECTIONS: Record<string, () => Promise<BenchResult>> = {
  replay: benchReplay,
  floors: benchReplayFloors,
  handler: benchHandler,
  classify: benchClassifier,
  personalize: benchPersonalize,
  stream: benchStream,
  'cold-start': benchColdStart,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((name) => !name.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS);
  const unknown = names.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(
      `unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
    );
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `machine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`machine speed now: ${speedCheck()} (compare runs by it: shared machines vary)`);
  console.log('');
  console.log('| benchmark | figure | target |');
  console.log('|---|---|---|');
  const notes: string[] = [];
  for (const name of names) {
    const result = await (SECTIONS[name] as () => Promise<BenchResult>)();
    for (const row of result.rows) {
      console.log(
        `| ${result.section}: ${row.metric} | ${row.value.toLocaleString('en-US')} ${row.unit} | ${row.target ?? ''} |`,
      );
    }
    notes.push(...(result.notes ?? []).map((note) => `- ${result.section}: ${note}`));
  }
  console.log('');
  console.log(notes.join('\n'));
}

/**
 * A fixed pure-CPU loop, timed before the benchmarks: on a shared virtual machine every figure below
 * moves with it (the same code has measured 0.42 s and 0.85 s here on the same day).
 */
function speedCheck(): string {
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < 300_000_000; i++) sum += i % 7;
  const ms = performance.now() - started;
  return `${(ms / 1000).toFixed(2)} s for a 300M-step loop${sum > 0 ? '' : '!'}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
