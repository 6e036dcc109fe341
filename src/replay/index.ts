import { parseEnvelope, type ParsedMessage } from '../events';
import {
  applyBatch,
  emptyReport,
  emptyWork,
  trackWork,
  writeBackWork,
  type BatchReport,
  type Pipeline,
} from '../pipeline';

/**
 * Events per store transaction while applying. Large, because every commit rewrites each page it dirtied
 * and the keys (messageIds, anonymousIds) are random: 5,000-event chunks wrote 127k pages for a 62 MB
 * SQLite file on the 100k-event benchmark, 50,000-event chunks 51k.
 */
export const DEFAULT_CHUNK_SIZE = 50_000;
/**
 * New events whose downstream work (Personalize tracking, write-back, done marks) is done together: each
 * profile is recomputed and written back once per window, and PutEvents batches a session's events across
 * the whole window. Bounded so memory is: the window's messages stay in memory until it completes.
 */
export const DEFAULT_WINDOW_SIZE = 100_000;
/** Time budget to complete one window: generous, since a replay has no Segment timeout, but bounded. */
const WINDOW_BUDGET_MS = 10 * 60_000;

export interface ReplayOptions {
  chunkSize?: number;
  windowSize?: number;
  /** called after each applied chunk and each completed window with the running totals */
  onChunk?: (total: BatchReport) => void;
}

/**
 * Replays JSON lines (one Segment message, an array, or `{batch}` per line) through the same pipeline
 * the Lambda handler uses: messages are applied to the store a chunk per transaction, and their downstream
 * work is completed a window at a time (and at the end). A message is marked done only when its window
 * completed, so a replay that stops part-way redoes exactly the unfinished windows when run again;
 * already-processed messages are skipped.
 */
export async function replayLines(
  pipeline: Pipeline,
  lines: AsyncIterable<string>,
  options: ReplayOptions = {},
): Promise<BatchReport> {
  const { store } = pipeline;
  const windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
  const total = emptyReport();
  let work = emptyWork();
  const complete = async () => {
    const report = emptyReport();
    const deadlineAt = Date.now() + WINDOW_BUDGET_MS;
    // Two transactions: tracking marks survive a write-back that fails (see trackWork).
    await store.batch(() => trackWork(pipeline, work, deadlineAt, report));
    await store.batch(() => writeBackWork(pipeline, work, deadlineAt, report));
    addReport(total, report);
    work = emptyWork();
  };

  const apply = async (chunk: readonly ParsedMessage[]) => {
    const report = emptyReport();
    await store.batch(() => applyBatch(pipeline, chunk, work, report));
    addReport(total, report);
    if (work.fresh.length >= windowSize) await complete();
    options.onChunk?.(total);
  };

  // Lines are parsed as they arrive, so only parsed messages wait for their chunk, not the raw text.
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let chunk: ParsedMessage[] = [];
  for await (const line of lines) {
    for (const input of parseEnvelope(line)) chunk.push(input);
    if (chunk.length >= chunkSize) {
      await apply(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await apply(chunk);
  await complete();
  options.onChunk?.(total);
  return total;
}

/** Adds `more` into `total`. */
export function addReport(total: BatchReport, more: BatchReport): void {
  for (const key of Object.keys(total) as Array<keyof BatchReport>) total[key] += more[key];
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
  ].join('\n');
}
