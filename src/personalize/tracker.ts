import { PutEventsCommand, type PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { describeError, RetryableError } from '../errors';
import type { SegmentMessage } from '../events';
import type { Logger } from '../log';
import { mapConcurrently } from '../pipeline/concurrently';
import { loggableId } from '../pipeline/dead-letter';
import type { EventTracker } from '../pipeline/ports';
import type { PersonalizeDatasets } from './datasets';
import { ConfigurationBreaker, classifyError } from './errors';
import {
  mapMessage,
  planCalls,
  type MappedMessage,
  type MappingOptions,
  type PutEventsCall,
} from './mapping';

export interface PersonalizeTrackerOptions {
  client: PersonalizeEventsClient;
  /** null: no PutEvents (only the datasets are kept current) */
  trackingId: string | null;
  /** PutUsers / PutItems from the same messages, sent before their events */
  datasets?: PersonalizeDatasets;
  mapping: MappingOptions;
  log: Logger;
  /** PutEvents calls in flight at once (default 4) */
  concurrency?: number;
  /** how long calls pause after a configuration error (default 60 s) */
  configurationPauseMs?: number;
}

type Rejection = { messageId: string; reason: string };

/**
 * Sends tracked Segment events to Personalize: one PutEvents per (sessionId, userId) and 10 events,
 * instead of one per event, after the users and items they describe (PersonalizeDatasets). See
 * src/personalize/errors.ts for what each failure does.
 */
export class PersonalizeTracker implements EventTracker {
  private readonly breaker: ConfigurationBreaker;

  constructor(private readonly options: PersonalizeTrackerOptions) {
    this.breaker = new ConfigurationBreaker(options.configurationPauseMs ?? 60_000);
  }

  async track(messages: readonly SegmentMessage[], timeoutMs: number): Promise<{ rejected: Rejection[] }> {
    const { log, mapping, datasets, trackingId } = this.options;
    const deadlineAt = Date.now() + timeoutMs;
    await datasets?.sync(messages, deadlineAt);
    if (trackingId === null) return { rejected: [] };
    const rejected: Rejection[] = [];
    const sendable: Array<Extract<MappedMessage, { kind: 'events' }>> = [];
    for (const message of messages) {
      const mapped = mapMessage(message, mapping);
      if (mapped.kind === 'events') sendable.push(mapped);
      else if (mapped.kind === 'invalid')
        rejected.push({ messageId: mapped.messageId, reason: mapped.reason });
      else
        log.debug('personalize_skipped', { messageId: loggableId(mapped.messageId), reason: mapped.reason });
    }
    const calls = planCalls(sendable);
    try {
      const perCall = await mapConcurrently(calls, this.options.concurrency ?? 4, (call) =>
        this.send(call, deadlineAt, true),
      );
      for (const callRejections of perCall) rejected.push(...callRejections);
    } catch (transient) {
      log.warn('personalize_put_events_failed', { reason: describeError(transient), calls: calls.length });
      throw new RetryableError(`Personalize PutEvents failed transiently: ${describeError(transient)}`, {
        cause: transient,
        service: 'personalize',
      });
    }
    return { rejected: dedupe(rejected) };
  }

  /**
   * Sends one call. A rejected call that mixes messages is resent message by message so that only the
   * bad message is dead-lettered. Throws only for transient failures.
   */
  private async send(call: PutEventsCall, deadlineAt: number, split: boolean): Promise<Rejection[]> {
    const { client, trackingId, log } = this.options;
    const paused = this.breaker.openReason();
    if (paused) return call.messageIds.map((messageId) => ({ messageId, reason: paused }));
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0)
      throw new RetryableError('no time left in the invocation budget for PutEvents', {
        service: 'personalize',
      });
    try {
      await client.send(
        new PutEventsCommand({
          trackingId: trackingId ?? undefined,
          sessionId: call.sessionId,
          ...(call.userId ? { userId: call.userId } : {}),
          eventList: call.events,
        }),
        { abortSignal: AbortSignal.timeout(remaining) },
      );
      return [];
    } catch (error) {
      const action = classifyError(error);
      const reason = describeError(error);
      if (action === 'retry') throw error;
      if (action === 'configuration') {
        const message = `configuration error, fix the deployment (PERSONALIZE_TRACKING_ID, region, IAM personalize:PutEvents): ${reason}`;
        log.error('personalize_configuration_error', { operation: 'PutEvents', reason });
        this.breaker.trip(message);
        return call.messageIds.map((messageId) => ({ messageId, reason: message }));
      }
      if (split && call.messageIds.length > 1) {
        const results: Rejection[] = [];
        for (const messageId of call.messageIds) {
          const events = call.events.filter((_, index) => call.owners[index] === messageId);
          const owners = events.map(() => messageId);
          results.push(
            ...(await this.send({ ...call, events, owners, messageIds: [messageId] }, deadlineAt, false)),
          );
        }
        return results;
      }
      log.warn('personalize_event_rejected', {
        messageIds: call.messageIds.map(loggableId).join(','),
        reason,
      });
      return call.messageIds.map((messageId) => ({ messageId, reason }));
    }
  }
}

function dedupe(rejected: Rejection[]): Rejection[] {
  const seen = new Map<string, Rejection>();
  for (const entry of rejected) if (!seen.has(entry.messageId)) seen.set(entry.messageId, entry);
  return [...seen.values()];
}
