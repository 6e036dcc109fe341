import { isRecord, unwrapEnvelope } from '../events';
import type { KinesisPublisher, PublishSummary, StreamEntry } from '../kinesis';

/** Messages gathered before they are put (at most 500 per PutRecords call, in order). */
const ENTRIES_PER_PUBLISH = 5_000;

/** What `replayToStream` did. */
export interface StreamReplaySummary extends PublishSummary {
  /** lines that were not a Segment message (not JSON, not an object): reported, not published */
  skipped: number;
}

/**
 * Publishes JSON lines (one message, an array or `{batch}` per line, as `touchpoint replay` reads them)
 * to a Kinesis stream, each message as one record holding its JSON, as Segment's Kinesis destination
 * writes it. The partition key is the userId, else the anonymousId (so one profile stays on one shard and
 * the consumer sees its events in order), else the messageId.
 */
export async function replayToStream(
  lines: AsyncIterable<string | readonly string[]>,
  publisher: KinesisPublisher,
  onProgress: (summary: StreamReplaySummary) => void = () => undefined,
): Promise<StreamReplaySummary> {
  const summary: StreamReplaySummary = { published: 0, retried: 0, calls: 0, skipped: 0 };
  let entries: StreamEntry[] = [];
  const flush = async () => {
    await publisher.publish(entries, summary);
    entries = [];
    onProgress(summary);
  };
  for await (const item of lines) {
    for (const line of typeof item === 'string' ? [item] : item) {
      for (const message of unwrapEnvelope(line)) {
        const entry = entryOf(message);
        if (entry) entries.push(entry);
        else summary.skipped++;
      }
    }
    if (entries.length >= ENTRIES_PER_PUBLISH) await flush();
  }
  if (entries.length > 0) await flush();
  return summary;
}

/** A message's record, or null when it is not a Segment message at all. */
export function entryOf(message: unknown): StreamEntry | null {
  if (!isRecord(message)) return null;
  const key = [message.userId, message.anonymousId, message.messageId].find(
    (id): id is string => typeof id === 'string' && id.length > 0,
  );
  // Kinesis partition keys are 1-256 Unicode characters.
  return { data: JSON.stringify(message), partitionKey: (key ?? 'touchpoint').slice(0, 256) };
}

/** The summary lines printed after a publish. */
export function formatStreamSummary(summary: StreamReplaySummary, stream: string, seconds: number): string {
  const rate = Math.round(summary.published / Math.max(seconds, 0.001));
  return [
    `published      ${summary.published.toLocaleString('en-US')} records to kinesis:${stream} in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')}/s)`,
    `PutRecords     ${summary.calls.toLocaleString('en-US')} calls, ${summary.retried.toLocaleString('en-US')} records retried`,
    `skipped        ${summary.skipped.toLocaleString('en-US')} lines that are not Segment messages`,
  ].join('\n');
}
