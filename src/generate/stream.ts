import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  byTimestamp,
  shopTraffic,
  type GenerateOptions,
  type RawMessage,
  type TrafficProfile,
} from './index';

/**
 * Events sorted in memory at a time. Beyond it, sorted runs go to temporary files and are merged, so
 * memory stays bounded by this many events (about 100 MB of objects) whatever the number of visitors.
 */
export const DEFAULT_RUN_SIZE = 50_000;
/** Bytes gathered before a write to a run file. */
const WRITE_BLOCK = 1 << 20;

export interface EventStreamOptions {
  /** the kind of traffic; the shop's when not given */
  profile?: TrafficProfile;
  /** events sorted in memory at a time; {@link DEFAULT_RUN_SIZE} when not given */
  runSize?: number;
  /** where run files go (a new directory inside it, removed at the end); the OS temp dir by default */
  tempDir?: string;
}

/**
 * The events of `generateEvents(options, profile)`, in the same order, with bounded memory: an external
 * merge sort. Up to `runSize` events are sorted in memory; a larger stream is written as sorted runs to
 * temporary files (removed when the iteration ends, early or not) and merged, ties going to the earlier
 * run, so the order is the stable sort's.
 */
export async function* generateEventStream(
  options: GenerateOptions,
  streamOptions: EventStreamOptions = {},
): AsyncGenerator<RawMessage> {
  const runSize = streamOptions.runSize ?? DEFAULT_RUN_SIZE;
  const profile = streamOptions.profile ?? shopTraffic;
  let dir: string | undefined;
  const runFiles: string[] = [];
  try {
    let run: RawMessage[] = [];
    for (const event of profile(options)) {
      run.push(event);
      if (run.length < runSize) continue;
      dir ??= mkdtempSync(join(streamOptions.tempDir ?? tmpdir(), 'touchpoint-generate-'));
      runFiles.push(writeRun(run.sort(byTimestamp), join(dir, `run-${runFiles.length}.tsv`)));
      run = [];
    }
    if (runFiles.length === 0) {
      yield* run.sort(byTimestamp);
      return;
    }
    if (run.length > 0) runFiles.push(writeRun(run.sort(byTimestamp), join(dir as string, 'run-last.tsv')));
    run = [];
    yield* mergeRuns(runFiles.map(readRun));
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** A run item: the sort key and the event's JSON, as a run file holds them (`timestamp TAB json`). */
interface RunItem {
  key: string;
  json: string;
}

function writeRun(run: readonly RawMessage[], path: string): string {
  const fd = openSync(path, 'w');
  try {
    let block = '';
    for (const event of run) {
      block += `${event.timestamp as string}\t${JSON.stringify(event)}\n`;
      if (block.length >= WRITE_BLOCK) {
        writeSync(fd, block);
        block = '';
      }
    }
    if (block) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return path;
}

async function* readRun(path: string): AsyncGenerator<RunItem> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    const tab = line.indexOf('\t');
    yield { key: line.slice(0, tab), json: line.slice(tab + 1) };
  }
}

/** A run being merged: its next item, and its index (the tie-break that keeps the sort stable). */
interface Head {
  item: RunItem;
  run: number;
  source: AsyncIterator<RunItem>;
}

const before = (a: Head, b: Head) => a.item.key < b.item.key || (a.item.key === b.item.key && a.run < b.run);

/** k-way merge of sorted runs through a binary min-heap of their heads. */
async function* mergeRuns(runs: AsyncIterator<RunItem>[]): AsyncGenerator<RawMessage> {
  const heap: Head[] = [];
  try {
    for (const [run, source] of runs.entries()) {
      const next = await source.next();
      if (!next.done) push(heap, { item: next.value, run, source });
    }
    while (heap.length > 0) {
      const head = heap[0] as Head;
      yield JSON.parse(head.item.json) as RawMessage;
      const next = await head.source.next();
      if (next.done) {
        const last = heap.pop() as Head;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown(heap);
        }
      } else {
        head.item = next.value;
        siftDown(heap);
      }
    }
  } finally {
    // An early stop closes the run files still open.
    await Promise.all(runs.map((source) => source.return?.()));
  }
}

function push(heap: Head[], head: Head): void {
  heap.push(head);
  let index = heap.length - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!before(heap[index] as Head, heap[parent] as Head)) break;
    [heap[index], heap[parent]] = [heap[parent] as Head, heap[index] as Head];
    index = parent;
  }
}

function siftDown(heap: Head[]): void {
  let index = 0;
  for (;;) {
    const left = 2 * index + 1;
    const right = left + 1;
    let smallest = index;
    if (left < heap.length && before(heap[left] as Head, heap[smallest] as Head)) smallest = left;
    if (right < heap.length && before(heap[right] as Head, heap[smallest] as Head)) smallest = right;
    if (smallest === index) return;
    [heap[index], heap[smallest]] = [heap[smallest] as Head, heap[index] as Head];
    index = smallest;
  }
}
