import { parseEnvelope } from '../events';
import { chunked } from '../io/jsonl';
import { emptyReport, processBatch, type BatchReport, type Pipeline } from '../pipeline';

/** Events per store transaction and per write-back flush during a replay. */
export const DEFAULT_CHUNK_SIZE = 5000;
/** Time budget per chunk: generous, since a replay has no Segment timeout, but still bounded. */
const CHUNK_BUDGET_MS = 60_000;

/**
 * Replays JSON lines (one Segment message, an array, or `{batch}` per line) through the same pipeline
 * the Lambda handler uses, in chunks: each chunk is one store transaction and one write-back flush.
 * Safe to re-run: already-processed messages are skipped.
 */
export async function replayLines(
  pipeline: Pipeline,
  lines: AsyncIterable<string>,
  options: { chunkSize?: number; onChunk?: (total: BatchReport) => void } = {},
): Promise<BatchReport> {
  const total = emptyReport();
  for await (const chunk of chunked(lines, options.chunkSize ?? DEFAULT_CHUNK_SIZE)) {
    const parsed = chunk.flatMap((line) => parseEnvelope(line));
    const report = await pipeline.store.batch(() =>
      processBatch(pipeline, parsed, Date.now() + CHUNK_BUDGET_MS),
    );
    addReport(total, report);
    options.onChunk?.(total);
  }
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
