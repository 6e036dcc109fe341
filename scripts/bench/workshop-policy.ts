/**
 * A re-implementation of the call policy of the AWS "Segment + Amazon Personalize" workshop Lambda, the
 * reference users copy, for the benchmark only. Per Segment event that reaches it (the destination's
 * event filter = the same tracked event names touchpoint uses):
 * - one PutEvents carrying that one event (the item id inside `properties`, as the workshop does);
 * - when the event has a userId: one GetRecommendations and one Segment identify with the list.
 * It swallows every error, as the workshop does. Its correctness problems are not reproduced beyond the
 * call pattern: the benchmark measures calls, not behaviour.
 */

import { PutEventsCommand, type PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import {
  GetRecommendationsCommand,
  type PersonalizeRuntimeClient,
} from '@aws-sdk/client-personalize-runtime';
import { loadConfig } from '../../src/config';
import type { SegmentMessage } from '../../src/events';
import { createEventsClient, createRuntimeClient } from '../../src/personalize';

export interface WorkshopCounts {
  putEvents: number;
  getRecommendations: number;
  identify: number;
}

export interface WorkshopPolicyOptions {
  events: PersonalizeEventsClient;
  runtime: PersonalizeRuntimeClient;
  trackingId: string;
  campaignArn: string;
  /** Segment event names the destination forwards, and their event types */
  eventTypes: Readonly<Record<string, string>>;
}

export async function runWorkshopPolicy(
  messages: readonly SegmentMessage[],
  options: WorkshopPolicyOptions,
): Promise<WorkshopCounts> {
  const counts: WorkshopCounts = { putEvents: 0, getRecommendations: 0, identify: 0 };
  for (const message of messages) {
    if (message.type !== 'track' || !options.eventTypes[message.event]) continue;
    const sessionId = message.anonymousId ?? message.userId ?? 'unknown';
    try {
      counts.putEvents++;
      await options.events.send(
        new PutEventsCommand({
          trackingId: options.trackingId,
          sessionId,
          ...(message.userId ? { userId: message.userId } : {}),
          eventList: [
            {
              eventType: message.event,
              sentAt: new Date(message.timestamp),
              properties: JSON.stringify({
                itemId: String(message.properties?.product_id ?? message.properties?.sku ?? 'unknown'),
              }),
            },
          ],
        }),
      );
    } catch {
      // the workshop swallows errors
    }
    if (!message.userId) continue;
    try {
      counts.getRecommendations++;
      await options.runtime.send(
        new GetRecommendationsCommand({ campaignArn: options.campaignArn, userId: message.userId }),
      );
      counts.identify++;
    } catch {
      // swallowed
    }
  }
  return counts;
}

/** The standard bench stream (the generator's users, seed and start) and the local Personalize set-up. */
export const USERS = 2000;
export const SEED = 7;
export const START = new Date('2026-03-01T00:00:00Z');
export const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/bench';
export const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };

/** The workshop policy on `messages` against the local Personalize fake at `endpoint`, with the default event types. */
export async function runWorkshopOnLocalPersonalize(
  endpoint: string,
  messages: readonly SegmentMessage[],
): Promise<WorkshopCounts> {
  const { eventTypes } = loadConfig({ TOUCHPOINT_STORE: 'memory' }).personalize;
  const clientOptions = { region: 'us-east-1', endpoint, credentials: CREDENTIALS };
  return runWorkshopPolicy(messages, {
    events: createEventsClient(clientOptions),
    runtime: createRuntimeClient(clientOptions),
    trackingId: 'bench-tracker',
    campaignArn: CAMPAIGN,
    eventTypes,
  });
}
