import { parseEnvelope, type ParsedMessage, type ParseOptions } from '../events';
import type { BatchReport, Engine } from '../pipeline';

/**
 * Events per store transaction while applying. Large, because every commit rewrites each page it dirtied
 * and the keys (messageIds, anonymousIds) are random: 5,000-event chunks wrote 127k pages for
 * the 60 MB SQLite file of the 100k-event benchmark, 50,000-event chunks 51k.
 */
export const DEFAULT_CHUNK_SIZE = 50_000;
/**
 * New events whose downstream work (Personalize tracking, write-back, done marks) is done together: each
 * profile is recomputed and written back once per window, and PutEvents batches a session's events across
 * the whole window. Bounded so memory is: the window's messages stay in memory until it completes.
 * One chunk: on 100k generated events, a 50,000-message window replayed 1.85x as fast as a 100,000 one
 * (8,524 vs 4,596 events/s in back-to-back runs) in 363 instead of 413 MB peak RSS, for 131 instead of 102
 * identify calls per 1,000 events (a profile active in two windows is written in each).
 */
export const DEFAULT_WINDOW_SIZE = 50_000;
/** Time budget to complete one window: generous, since a replay has no Segment timeout, but bounded. */
const WINDOW_BUDGET_MS = 10 * 60_000;
const PROGRESS_EVERY = 5000;

export interface ReplayOptions {
  chunkSize?: number;
  windowSize?: number;
  /**
   * called after every 5,000 messages applied (fewer at the end of a chunk) with the count so far, and
   * with a `phase` when a window's tracking and write-back start
   */
  onProgress?: (messagesApplied: number, phase?: string) => void;
}

/**
 * Replays JSON lines (one Segment message, an array, or `{batch}` per line) through the same engine the
 * Lambda handler uses, in a window: messages are applied to the store a chunk per transaction, and their
 * downstream work is completed a window at a time (and at the end). A message is marked done only when
 * its window completed, so a replay that stops part-way redoes exactly the unfinished windows when run
 * again; already-processed messages are skipped.
 */
export function replayLines(
  engine: Engine,
  lines: AsyncIterable<string | readonly string[]>,
  options: ReplayOptions = {},
): Promise<BatchReport> {
  return replayMessages(
    engine,
    parsedMessages(lines, { timestamps: engine.pipeline.settings.timestamps }),
    options,
  );
}

/**
 * {@link replayLines} for messages already parsed at the edge, a batch at a time (CSV rows, say): the same
 * chunks, windows and report.
 */
export async function replayMessages(
  engine: Engine,
  messages: AsyncIterator<ParsedMessage[]>,
  options: ReplayOptions = {},
): Promise<BatchReport> {
  const { store } = engine.pipeline;
  const windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const window = engine.openWindow({ transactions: true });
  let applied = 0;
  const complete = async () => {
    if (window.pending > 0)
      options.onProgress?.(applied, `write-back of ${window.affectedIds.toLocaleString('en-US')} ids`);
    await window.complete(Date.now() + WINDOW_BUDGET_MS);
  };

  // Messages are applied 5,000 at a time, inside a store transaction that spans a chunk, or less: a
  // window smaller than a chunk ends its chunk.
  let exhausted = false;
  while (!exhausted) {
    await store.batch(async () => {
      for (let inChunk = 0; inChunk < chunkSize && window.pending < windowSize;) {
        const wanted = Math.min(PROGRESS_EVERY, chunkSize - inChunk, windowSize - window.pending);
        const slice = await take(messages, wanted);
        if (slice.length === 0) {
          exhausted = true;
          return;
        }
        await window.apply(slice);
        inChunk += slice.length;
        applied += slice.length;
        options.onProgress?.(applied);
      }
    });
    if (window.pending >= windowSize) await complete();
  }
  await complete();
  return window.report;
}

/** The summary lines printed after a replay. */
export function formatReport(report: BatchReport, seconds: number): string {
  const rate = Math.round(report.received / Math.max(seconds, 0.001));
  return [
    `received       ${report.received.toLocaleString('en-US')} messages in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')}/s)`,
    `processed      ${report.processed.toLocaleString('en-US')}`,
    `duplicates     ${report.duplicates.toLocaleString('en-US')} (already processed, skipped)`,
    `ignored        ${report.ignored.toLocaleString('en-US')} (unsupported types, own write-backs)`,
    `dead-lettered  ${report.deadLettered.toLocaleString('en-US')} (see \`touchpoint dead-letters\`)`,
    `touches        ${report.touches.toLocaleString('en-US')}`,
    `identify calls ${report.identifyCalls.toLocaleString('en-US')}`,
    `credit calls   ${report.creditCalls.toLocaleString('en-US')} (Conversion Attributed)`,
  ].join('\n');
}

/** The messages of the lines (one at a time, or in batches), parsed as they arrive. */
async function* parsedMessages(
  lines: AsyncIterable<string | readonly string[]>,
  options: ParseOptions,
): AsyncGenerator<ParsedMessage[]> {
  for await (const item of lines) {
    const parsed: ParsedMessage[] = [];
    for (const line of typeof item === 'string' ? [item] : item) parsed.push(...parseEnvelope(line, options));
    yield parsed;
  }
}

/** At least `count` messages from `source` (the rest of the last batch too); fewer only at its end. */
async function take(source: AsyncIterator<ParsedMessage[]>, count: number): Promise<ParsedMessage[]> {
  const taken: ParsedMessage[] = [];
  while (taken.length < count) {
    const next = await source.next();
    if (next.done) break;
    taken.push(...next.value);
  }
  return taken;
}

export { csvMessages, parseColumnMapping, type ColumnMapping } from './csv';
export { entryOf, formatStreamSummary, replayToStream, type StreamReplaySummary } from './to-stream';
