import type { Traits } from '../attribution';
import type { SegmentMessage } from '../events';
import { ConfigurationError, RetryableError, ValidationError } from '../errors';
import {
  messageOf,
  planWriteBack,
  profileRefOf,
  stateTraitNames,
  touchOf,
  type WriteBackCall,
} from './attribution';
import type { AttributionFunctionOptions } from './settings';

/** What the attribution function needs from the world: the Profile API and the Tracking API. */
export interface AttributionPorts {
  /**
   * The named traits of a profile, or null when Unify has no such profile (a new visitor).
   * @throws RetryableError (429, 5xx, network), ConfigurationError (401/403: a setting is wrong)
   */
  readTraits(externalId: string, names: readonly string[]): Promise<Traits | null>;
  /**
   * Sends the identify calls in one `/v1/batch` request.
   * @throws RetryableError (429, 5xx, network), ConfigurationError (401/403: the write key)
   */
  send(calls: readonly WriteBackCall[]): Promise<void>;
  library: WriteBackCall['context']['library'];
}

/**
 * What became of one event, in Segment's terms: done, refused for good (`invalid`, `unsupported`,
 * `configuration`: a setting must change) or to be retried.
 */
export type EventOutcome =
  { kind: 'done' } | { kind: 'invalid' | 'unsupported' | 'configuration' | 'retry'; message: string };

/** The message types the attribution function acts on; the others carry no visit. */
const VISIT_TYPES = new Set(['page', 'track', 'screen']);

/**
 * Runs a batch of raw events (one for the per-type handlers, up to Segment's batch size for onBatch):
 * one Profile API read per profile with a touch in the batch (none for internal navigation), one
 * Tracking API call for every write-back, and one outcome per event, in input order. Events of one
 * profile are applied in order of event time, whatever their order in the batch.
 */
export async function runAttribution(
  events: readonly unknown[],
  options: AttributionFunctionOptions,
  ports: AttributionPorts,
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = events.map(() => ({ kind: 'done' }));
  const byProfile = new Map<string, Array<{ index: number; message: SegmentMessage }>>();
  events.forEach((raw, index) => {
    let message: SegmentMessage;
    try {
      message = messageOf(raw);
    } catch (error) {
      outcomes[index] = outcomeOf(error);
      return;
    }
    if (!VISIT_TYPES.has(message.type)) {
      outcomes[index] = { kind: 'unsupported', message: `${message.type} carries no visit` };
      return;
    }
    // no touch (internal navigation, a track without a page): nothing to read or write
    if (touchOf(message, options) === null) return;
    const { externalId } = profileRefOf(message);
    byProfile.set(externalId, [...(byProfile.get(externalId) ?? []), { index, message }]);
  });

  const names = stateTraitNames(options);
  const planned = await Promise.all(
    [...byProfile.values()].map(async (entries) => {
      const first = entries[0]!.message;
      try {
        const stored = await ports.readTraits(profileRefOf(first).externalId, names);
        const ordered = entries
          .map((entry) => entry.message)
          .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
        const call = planWriteBack(profileRefOf(first), stored, ordered, options, ports.library);
        return { entries, call };
      } catch (error) {
        for (const entry of entries) outcomes[entry.index] = outcomeOf(error);
        return { entries, call: null };
      }
    }),
  );

  const calls = planned.filter((plan) => plan.call !== null);
  if (calls.length > 0) {
    try {
      await ports.send(calls.map((plan) => plan.call as WriteBackCall));
    } catch (error) {
      const outcome = outcomeOf(error);
      for (const plan of calls) for (const entry of plan.entries) outcomes[entry.index] = outcome;
    }
  }
  return outcomes;
}

/** An onBatch entry as Segment reads it: only 5xx entries are retried. */
export function batchStatusOf(outcome: EventOutcome): { status: number; errormessage?: string } {
  switch (outcome.kind) {
    case 'done':
      return { status: 200 };
    case 'invalid':
    case 'unsupported':
      return { status: 400, errormessage: outcome.message };
    case 'configuration':
      return { status: 401, errormessage: outcome.message };
    case 'retry':
      return { status: 500, errormessage: outcome.message };
  }
}

/** The outcome of an error from the edge or a port; an unknown error is retried (it may be transient). */
export function outcomeOf(error: unknown): EventOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ValidationError) return { kind: 'invalid', message };
  if (error instanceof ConfigurationError) return { kind: 'configuration', message };
  if (error instanceof RetryableError) return { kind: 'retry', message };
  return { kind: 'retry', message };
}
