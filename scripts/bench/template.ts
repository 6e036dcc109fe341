/**
 * What the deployment sets, read from template.yaml so a benchmark measures what deploys and cannot
 * drift from it, and how Lambda forms a stream or queue batch from those settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The default of a Number parameter of template.yaml (e.g. StreamBatchSize). */
export function templateParameterDefault(name: string): number {
  const template = readFileSync(join(__dirname, '../../template.yaml'), 'utf8');
  const block = new RegExp(`^  ${name}:\\n((?:    .*\\n)+)`, 'm').exec(template)?.[1] ?? '';
  const value = /^ {4}Default: (\d+)$/m.exec(block)?.[1];
  if (value === undefined) throw new Error(`template.yaml has no numeric default for parameter ${name}`);
  return Number(value);
}

/** Lambda's payload limit for a synchronous invocation, which also bounds an event source's batch. */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface BatchRule {
  /** the mapping's BatchSize */
  batchSize: number;
  /** the batching window on the events' own timestamps; null: records arrive faster than it closes */
  windowMs: number | null;
  /** the size of one record in the invocation's event, bytes */
  recordBytes: (message: Record<string, unknown>) => number;
}

/**
 * Batches as an event source mapping forms them from records arriving at their timestamps: a batch
 * closes at BatchSize records, at the 6 MB payload, or when the window since its first record ends.
 */
export function* lambdaBatches<T extends Record<string, unknown>>(
  messages: readonly T[],
  rule: BatchRule,
): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  let opened = 0;
  for (const message of messages) {
    const size = rule.recordBytes(message);
    const at = Date.parse(String(message.timestamp));
    const full =
      batch.length >= rule.batchSize ||
      bytes + size > LAMBDA_PAYLOAD_BYTES ||
      (rule.windowMs !== null && at - opened >= rule.windowMs);
    if (batch.length > 0 && full) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    if (batch.length === 0) opened = at;
    batch.push(message);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
