import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describeError, failureAction, RetryableError, toTouchpointError } from '../errors';

/** PutRecords accepts at most 500 records per call ... */
export const MAX_RECORDS_PER_CALL = 500;
/** ... and at most 5 MB per call, data and partition keys counted. */
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
/** One record's data and partition key may take at most 1 MB. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Attempts per record before the publish gives up (default). */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** First backoff between attempts; doubled each time, with full jitter, capped at 5 s (default). */
export const DEFAULT_BASE_DELAY_MS = 100;

/** One record to put: its data (UTF-8 text) and the partition key that picks its shard. */
export interface StreamEntry {
  data: string;
  partitionKey: string;
}

export interface KinesisPublisherOptions {
  client: KinesisClient;
  /** the stream's name, or its ARN */
  stream: string;
  /** default DEFAULT_MAX_ATTEMPTS */
  maxAttempts?: number;
  /** default DEFAULT_BASE_DELAY_MS */
  baseDelayMs?: number;
  /** how to wait between attempts (tests pass one that does not sleep) */
  delay?: (ms: number) => Promise<void>;
}

/** What a publish did: records put, records that needed another attempt, PutRecords calls made. */
export interface PublishSummary {
  published: number;
  retried: number;
  calls: number;
}

/**
 * Puts records into a Kinesis data stream with PutRecords: calls of at most 500 records and 5 MB, in
 * input order; records the stream refused (ProvisionedThroughputExceededException, InternalFailure) and
 * calls that failed transiently are tried again with exponential backoff and jitter, up to `maxAttempts`.
 * Throws RetryableError when records are still refused after that, ConfigurationError when no call can
 * succeed (no such stream, no permission), ValidationError for a record Kinesis can never take.
 */
export class KinesisPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly target: { StreamName?: string; StreamARN?: string };

  constructor(private readonly options: KinesisPublisherOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.delay = options.delay ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.target = options.stream.startsWith('arn:')
      ? { StreamARN: options.stream }
      : { StreamName: options.stream };
  }

  /** Puts `entries` (one PutRecords call per 500 records / 5 MB) and adds what it did to `summary`. */
  async publish(entries: readonly StreamEntry[], summary: PublishSummary): Promise<void> {
    for (const call of callsOf(entries)) await this.putAll(call, summary);
  }

  private async putAll(call: readonly StreamEntry[], summary: PublishSummary): Promise<void> {
    let pending: PutRecordsRequestEntry[] = call.map((entry) => ({
      Data: Buffer.from(entry.data, 'utf8'),
      PartitionKey: entry.partitionKey,
    }));
    let lastReason = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        summary.retried += pending.length;
        await this.delay(this.backoff(attempt));
      }
      summary.calls++;
      let results: Array<{ ErrorCode?: string; ErrorMessage?: string }>;
      try {
        const output = await this.options.client.send(
          new PutRecordsCommand({ ...this.target, Records: pending }),
        );
        results = output.Records ?? [];
      } catch (error) {
        if (failureAction(error, 'kinesis') !== 'retry')
          throw toTouchpointError(error, 'kinesis', `Kinesis PutRecords to "${this.options.stream}"`, {
            configuration: 'check the stream name, its region and the credentials (kinesis:PutRecords)',
          });
        lastReason = describeError(error);
        continue; // the whole call failed transiently: every record is tried again
      }
      const refusal = results.find((result) => result.ErrorCode);
      if (refusal?.ErrorCode && failureAction({ name: refusal.ErrorCode }, 'kinesis') !== 'retry')
        throw toTouchpointError({ name: refusal.ErrorCode }, 'kinesis', 'Kinesis PutRecords');
      if (refusal) lastReason = `${refusal.ErrorCode ?? ''}: ${refusal.ErrorMessage ?? ''}`;
      const refused = pending.filter((_, index) => Boolean(results[index]?.ErrorCode));
      summary.published += pending.length - refused.length;
      pending = refused;
      if (pending.length === 0) return;
    }
    throw new RetryableError(
      `Kinesis PutRecords: ${pending.length} records still refused after ${this.maxAttempts} attempts (${lastReason})`,
      { service: 'kinesis' },
    );
  }

  /** Exponential backoff with full jitter, capped at 5 s. */
  private backoff(attempt: number): number {
    return Math.random() * Math.min(5000, this.baseDelayMs * 2 ** (attempt - 2));
  }
}

/** Entries packed into PutRecords calls of at most 500 records and 5 MB, in order. */
function callsOf(entries: readonly StreamEntry[]): StreamEntry[][] {
  const calls: StreamEntry[][] = [];
  let current: StreamEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = Buffer.byteLength(entry.data, 'utf8') + Buffer.byteLength(entry.partitionKey, 'utf8');
    if (bytes > MAX_RECORD_BYTES)
      throw toTouchpointError({ name: 'ValidationException' }, 'kinesis', 'Kinesis PutRecords', {
        reject: `a record of ${bytes} bytes is over Kinesis's 1 MB limit`,
      });
    if (current.length === MAX_RECORDS_PER_CALL || size + bytes > MAX_BYTES_PER_CALL) {
      calls.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** The Kinesis client for a publish (region from the caller; endpoint from AWS_ENDPOINT_URL_KINESIS). */
export function createKinesisClient(options: {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): KinesisClient {
  return new KinesisClient({
    region: options.region,
    maxAttempts: 1, // KinesisPublisher retries itself, with its own backoff and record-level view
    // HTTP/1.1: PutRecords needs nothing of HTTP/2 (the client's default, for SubscribeToShard), and
    // local Kinesis servers (kinesalite) speak only HTTP/1.1.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10_000 }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}
