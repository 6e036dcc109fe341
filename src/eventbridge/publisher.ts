import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describeError, failureAction, RetryableError } from '../errors';
import type { Logger } from '../log';
import { mapConcurrently, type AttributionChange, type AttributionPublisher } from '../pipeline';

/** The `source` of every event touchpoint publishes (rules match on it). */
export const EVENT_SOURCE = 'touchpoint';
/** The `detail-type` of an attribution change. */
export const ATTRIBUTION_CHANGED = 'Attribution Changed';
/** PutEvents accepts at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** ... and at most 256 KB per call, counted as AWS documents (see entrySize). */
export const MAX_BYTES_PER_CALL = 256 * 1024;
/** Attempts per entry within one delivery: the first, and one retry of the entries that failed transiently. */
const ATTEMPTS = 2;
/** PutEvents calls in flight at once. */
const CALL_CONCURRENCY = 4;

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** the event bus name or ARN (TOUCHPOINT_EVENT_BUS) */
  busName: string;
  log: Logger;
}

/** What an `Attribution Changed` event's detail holds (a rule matches e.g. `detail.firstTouch.new.channel`). */
export interface AttributionChangedDetail {
  profile: { target: string; userId: string | null; anonymousId: string | null };
  changed: AttributionChange['changed'];
  firstTouch: AttributionChange['firstTouch'];
  lastTouch: AttributionChange['lastTouch'];
  timestamp: string;
}

/**
 * Publishes `Attribution Changed` events to an EventBridge bus with PutEvents: at most 10 entries and
 * 256 KB per call, entries that failed transiently (ThrottlingException, InternalFailure) retried once,
 * then handed back so the engine fails their messages and the platform redelivers them, as it does for a
 * failed write-back. Entries EventBridge can never accept are logged and dropped.
 */
export class EventBridgePublisher implements AttributionPublisher {
  constructor(private readonly options: EventBridgePublisherOptions) {}

  async publish(
    changes: readonly AttributionChange[],
    timeoutMs: number,
  ): Promise<{ failed: Array<{ change: AttributionChange; error: Error }> }> {
    const deadline = Date.now() + timeoutMs;
    const entries = changes.map((change) => ({ change, entry: this.entryOf(change) }));
    const sendable = entries.filter(({ change, entry }) => {
      if (entrySize(entry) <= MAX_BYTES_PER_CALL) return true;
      this.drop(change, 'entry larger than 256 KB');
      return false;
    });
    const failed: Array<{ change: AttributionChange; error: Error }> = [];
    await mapConcurrently(callsOf(sendable), CALL_CONCURRENCY, async (call) => {
      let pending = call;
      let lastError = '';
      for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
        const outcome = await this.send(pending, deadline);
        if ('error' in outcome) {
          lastError = outcome.error;
          if (outcome.action === 'reject') pending = []; // dropped (and logged) in send
          if (outcome.action !== 'retry') break;
          continue;
        }
        pending = outcome.retry;
        lastError = outcome.reason;
      }
      for (const { change } of pending) {
        failed.push({
          change,
          error: new RetryableError(`EventBridge PutEvents failed transiently (${lastError})`, {
            service: 'eventbridge',
          }),
        });
      }
    });
    return { failed };
  }

  /** One PutEvents call; returns the entries to try again, or the call's own failure. */
  private async send(
    call: ReadonlyArray<{ change: AttributionChange; entry: PutEventsRequestEntry }>,
    deadline: number,
  ): Promise<
    | { retry: Array<{ change: AttributionChange; entry: PutEventsRequestEntry }>; reason: string }
    | { error: string; action: 'retry' | 'reject' | 'configuration' }
  > {
    try {
      const output = await this.options.client.send(
        new PutEventsCommand({ Entries: call.map(({ entry }) => entry) }),
        { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
      );
      const retry: Array<{ change: AttributionChange; entry: PutEventsRequestEntry }> = [];
      let reason = '';
      call.forEach((item, index) => {
        const result = output.Entries?.[index];
        if (!result?.ErrorCode) return;
        const action = failureAction({ name: result.ErrorCode }, 'eventbridge');
        if (action === 'reject') this.drop(item.change, `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`);
        else {
          retry.push(item);
          reason = `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`;
        }
      });
      return { retry, reason };
    } catch (error) {
      const action = failureAction(error, 'eventbridge');
      const description = describeError(error);
      if (action === 'reject') for (const { change } of call) this.drop(change, description);
      if (action === 'configuration')
        this.options.log.error('eventbridge_configuration_error', {
          error: description,
          fix: 'check TOUCHPOINT_EVENT_BUS and grant the function events:PutEvents on that bus',
        });
      // A configuration error keeps the messages (they are retried until the deployment is fixed),
      // like a write-back to a wrong Segment host.
      return { error: description, action };
    }
  }

  private entryOf(change: AttributionChange): PutEventsRequestEntry {
    const detail: AttributionChangedDetail = {
      profile: {
        target: change.target,
        userId: change.target.startsWith('user:') ? change.target.slice(5) : null,
        anonymousId: change.target.startsWith('anon:') ? change.target.slice(5) : null,
      },
      changed: change.changed,
      firstTouch: change.firstTouch,
      lastTouch: change.lastTouch,
      timestamp: change.timestamp,
    };
    return {
      EventBusName: this.options.busName,
      Source: EVENT_SOURCE,
      DetailType: ATTRIBUTION_CHANGED,
      Detail: JSON.stringify(detail),
      Time: new Date(change.timestamp),
    };
  }

  private drop(change: AttributionChange, reason: string): void {
    this.options.log.error('attribution_event_rejected', { reason, messages: change.messageIds.length });
  }
}

/**
 * An entry's size as AWS documents it for the PutEvents limit: 14 bytes for Time, plus the UTF-8 bytes
 * of Source, DetailType, Detail and each Resources ARN.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, arn) => sum + bytes(arn), 0)
  );
}

/** Entries packed into calls of at most 10 entries and 256 KB, in order. */
function callsOf<T extends { entry: PutEventsRequestEntry }>(items: readonly T[]): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = entrySize(item.entry);
    if (current.length === MAX_ENTRIES_PER_CALL || size + itemSize > MAX_BYTES_PER_CALL) {
      calls.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
