import { Analytics } from '@segment/analytics-node';
import { failureAction, RetryableError } from '../errors';
import type { Logger } from '../log';
import { identifyParams } from './payload';
import type { IdentifyCall, TraitWriter } from '../pipeline/ports';

/** analytics-node refuses events over 32 KB locally, with no status: what the API answers with 413. */
const TOO_LARGE = /exceeds maximum event size/i;

export interface SegmentWriterOptions {
  writeKey: string;
  host: string;
  log: Logger;
}

/**
 * Writes identify calls to Segment's tracking API with analytics-node, one client per flush so that
 * every flush is bounded by the time the caller has left (analytics-node's defaults retry for hours).
 * Per-call callbacks tell delivered, transient failure (thrown as RetryableError) and permanent
 * rejection (returned, logged) apart.
 */
export class SegmentTraitWriter implements TraitWriter {
  private queue: IdentifyCall[] = [];

  constructor(private readonly options: SegmentWriterOptions) {}

  identify(call: IdentifyCall): void {
    this.queue.push(call);
  }

  async flush(timeoutMs: number): Promise<{ rejected: IdentifyCall[] }> {
    const calls = this.queue;
    this.queue = [];
    if (calls.length === 0) return { rejected: [] };
    const budget = Math.max(200, Math.floor(timeoutMs));
    const analytics = new Analytics({
      writeKey: this.options.writeKey,
      host: this.options.host,
      flushAt: Math.min(calls.length, 500),
      flushInterval: budget,
      maxRetries: 1,
      httpRequestTimeout: Math.max(100, Math.floor(budget / 2)),
      maxTotalBackoffDuration: Math.max(1, Math.floor(budget / 1000)),
    });
    // Outcomes come from the emitter, not per-call callbacks: analytics-core delays every callback to
    // 300 ms after dispatch (a legacy browser behaviour), which would cost each invocation 300 ms.
    const settle = new Map<string, (error: unknown) => void>();
    const outcomes = calls.map(
      (call) => new Promise<unknown>((resolve) => settle.set(call.messageId, resolve)),
    );
    analytics.on('identify', (ctx) => settle.get(ctx.event.messageId ?? '')?.(null));
    analytics.on('error', (error) => {
      const messageId = (error as { ctx?: { event?: { messageId?: string } } }).ctx?.event?.messageId;
      if (messageId) settle.get(messageId)?.(error.reason ?? error);
    });
    for (const call of calls) analytics.identify(identifyParams(call));
    // Close at once: the last partial batch goes out now instead of after flushInterval (the whole
    // budget), which would leave any flush of more than one batch waiting until it timed out.
    const closed = analytics.closeAndFlush({ timeout: budget }).catch(() => undefined);
    const timedOut = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), budget);
    });
    const settled = await Promise.race([Promise.all(outcomes), deadline]);
    clearTimeout(timer);
    if (settled === timedOut) {
      throw new RetryableError(
        `Segment write-back did not finish within ${budget} ms (${calls.length} identify calls)`,
        { service: 'segment' },
      );
    }
    await closed;
    const rejected: IdentifyCall[] = [];
    let transient: unknown = null;
    settled.forEach((error, index) => {
      if (error === null) return;
      const status = statusOf(error);
      // The failure table (src/errors/failures.ts, service `segment`) decides; analytics-node reports the
      // status only inside the message. Anything no retry can fix (a bad payload or write key) is returned.
      const failure = { status: status ?? (TOO_LARGE.test(errorText(error)) ? 413 : undefined) };
      if (failureAction(failure, 'segment') !== 'retry') {
        rejected.push(calls[index] as IdentifyCall);
        this.options.log.error('segment_write_rejected', { status, messageId: calls[index]?.messageId });
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

  async close(): Promise<void> {}
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
