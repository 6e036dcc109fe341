import { Analytics, type AnalyticsSettings } from '@segment/analytics-node';
import { failureAction, RetryableError } from '../errors';
import { KeepAliveHttpClient } from './http-client';
import type { Logger } from '../log';
import { identifyParams, trackParams } from './payload';
import type { IdentifyCall, TrackCall, TraitWriter } from '../pipeline/ports';

/** A queued call: an identify (traits) or a track (`Conversion Attributed`). */
type WriteBackCall = { kind: 'identify'; call: IdentifyCall } | { kind: 'track'; call: TrackCall };

/** analytics-node refuses events over 32 KB locally, with no status: what the API answers with 413. */
const TOO_LARGE = /exceeds maximum event size/i;

export interface SegmentWriterOptions {
  writeKey: string;
  host: string;
  log: Logger;
  /** builds the one analytics-node client (for tests that count them); `new Analytics(settings)` by default */
  createClient?: (settings: AnalyticsSettings) => Analytics;
}

/** One request's time limit; a flush with less time left is cut at its budget (the client aborts it). */
const REQUEST_TIMEOUT_MS = 2_000;
/** Calls per request (Segment accepts 500 KB per batch; identify and track calls are small). */
const MAX_BATCH = 500;

/**
 * Writes identify and track calls to Segment's tracking API with one analytics-node client per container (built
 * at the first flush, kept until `close`), so an invocation does not pay for a new client: each flush
 * sends what was queued since the last one and waits for it only as long as the caller has left (the
 * client's own retries are bounded to one); a flush that runs out of time retires its client. Flushes run
 * one after another on the shared client, over one kept connection (KeepAliveHttpClient).
 * Per-call outcomes tell delivered, transient failure (thrown as RetryableError) and permanent
 * rejection (returned, logged) apart.
 */
export class SegmentTraitWriter implements TraitWriter {
  private queue: WriteBackCall[] = [];
  private client: Analytics | undefined;
  /** pending calls' outcome callbacks, by messageId, filled and emptied by each flush */
  private readonly settle = new Map<string, (error: unknown) => void>();
  /** the flush in progress: the next one starts after it (analytics-node refuses overlapping flushes) */
  private flushing: Promise<unknown> = Promise.resolve();
  /** the transport of every client this writer builds: its kept connection outlives a retired client */
  private readonly http = new KeepAliveHttpClient();

  constructor(private readonly options: SegmentWriterOptions) {}

  identify(call: IdentifyCall): void {
    this.queue.push({ kind: 'identify', call });
  }

  track(call: TrackCall): void {
    this.queue.push({ kind: 'track', call });
  }

  flush(timeoutMs: number): Promise<{ rejected: Array<IdentifyCall | TrackCall> }> {
    const calls = this.queue;
    this.queue = [];
    if (calls.length === 0) return Promise.resolve({ rejected: [] });
    const deadlineAt = Date.now() + timeoutMs;
    const sent = this.flushing.then(() => this.send(calls, deadlineAt));
    this.flushing = sent.catch(() => undefined);
    return sent;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await this.flushing;
    await client?.closeAndFlush({ timeout: REQUEST_TIMEOUT_MS }).catch(() => undefined);
    this.http.destroy();
  }

  private analytics(): Analytics {
    if (this.client) return this.client;
    const settings: AnalyticsSettings = {
      writeKey: this.options.writeKey,
      host: this.options.host,
      flushAt: MAX_BATCH,
      // Only a fallback: every flush sends at once.
      flushInterval: REQUEST_TIMEOUT_MS,
      maxRetries: 1,
      httpRequestTimeout: REQUEST_TIMEOUT_MS,
      maxTotalBackoffDuration: 1,
      httpClient: this.http,
    };
    const client = (this.options.createClient ?? ((given) => new Analytics(given)))(settings);
    // Outcomes come from the emitter, not per-call callbacks: analytics-core delays every callback to
    // 300 ms after dispatch (a legacy browser behaviour), which would cost each invocation 300 ms.
    client.on('identify', (ctx) => this.settle.get(ctx.event.messageId ?? '')?.(null));
    client.on('track', (ctx) => this.settle.get(ctx.event.messageId ?? '')?.(null));
    client.on('error', (error) => {
      const messageId = (error as { ctx?: { event?: { messageId?: string } } }).ctx?.event?.messageId;
      if (messageId) this.settle.get(messageId)?.(error.reason ?? error);
    });
    this.client = client;
    return client;
  }

  private async send(
    calls: WriteBackCall[],
    deadlineAt: number,
  ): Promise<{ rejected: Array<IdentifyCall | TrackCall> }> {
    const budget = Math.max(200, Math.floor(deadlineAt - Date.now()));
    const analytics = this.analytics();
    const outcomes = calls.map(
      ({ call }) => new Promise<unknown>((resolve) => this.settle.set(call.messageId, resolve)),
    );
    for (const queued of calls) {
      if (queued.kind === 'identify') analytics.identify(identifyParams(queued.call));
      else analytics.track(trackParams(queued.call));
    }
    // Sends now; at the budget the client aborts what is still in flight, and stays usable.
    const flushed = analytics.flush({ timeout: budget }).catch(() => undefined);
    const timedOut = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), budget);
    });
    const settled = await Promise.race([Promise.all(outcomes), deadline]);
    clearTimeout(timer);
    for (const { call } of calls) this.settle.delete(call.messageId);
    if (settled === timedOut) {
      // Its flush may still be waiting on the hung request: the next flush gets a new client instead of
      // overlapping it (analytics-node would refuse, and the calls would wait for the batch timer).
      if (this.client === analytics) this.client = undefined;
      void flushed.then(() => analytics.closeAndFlush({ timeout: 1 })).catch(() => undefined);
      throw new RetryableError(
        `Segment write-back did not finish within ${budget} ms (${calls.length} identify and track calls)`,
        { service: 'segment' },
      );
    }
    await flushed;
    const rejected: Array<IdentifyCall | TrackCall> = [];
    let transient: unknown = null;
    settled.forEach((error, index) => {
      if (error === null) return;
      const status = statusOf(error);
      // The failure table (src/errors/failures.ts, service `segment`) decides; analytics-node reports the
      // status only inside the message. Anything no retry can fix (a bad payload or write key) is returned.
      const failure = { status: status ?? (TOO_LARGE.test(errorText(error)) ? 413 : undefined) };
      if (failureAction(failure, 'segment') !== 'retry') {
        const { kind, call } = calls[index] as WriteBackCall;
        rejected.push(call);
        this.options.log.error('segment_write_rejected', { status, type: kind, messageId: call.messageId });
      } else {
        transient ??= error;
      }
    });
    if (transient !== null) {
      throw new RetryableError(`Segment write-back failed: ${errorText(transient)}`, {
        cause: transient,
        service: 'segment',
      });
    }
    return { rejected };
  }
}

function errorText(error: unknown): string {
  const reason = (error as { reason?: unknown })?.reason ?? error;
  return reason instanceof Error ? reason.message : String(reason);
}

/** analytics-node reports HTTP failures as `[status] text`, directly or inside the context's failure. */
function statusOf(error: unknown): number | null {
  const match = /\[(\d{3})\]/.exec(errorText(error));
  return match ? Number(match[1]) : null;
}
