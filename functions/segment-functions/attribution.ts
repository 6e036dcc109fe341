/**
 * The Segment destination function (bundled to dist/segment-functions/touchpoint-attribution.js): keeps
 * first-touch and last-non-direct-touch traits on Unify profiles with no AWS. Reads the profile's touch
 * traits from the Profile API, applies the visit with the same model as the Lambda mode, and writes what
 * changed with one identify through the Tracking API. Maps each outcome onto the runtime's error classes.
 */
import { version } from '../../package.json';
import { createProfileReader, createTrackingSender, type FetchLike } from '../../src/segment-api';
import {
  attributionOptionsOf,
  batchStatusOf,
  outcomeOf,
  runAttribution,
  type AttributionFunctionOptions,
  type AttributionPorts,
  type EventOutcome,
  type RawSettings,
} from '../../src/segment-functions';

// The Functions runtime's error classes (globals there; see docs/contracts.md "Segment Functions").
declare const RetryError: new (message: string) => Error;
declare const InvalidEventPayload: new (message: string) => Error;
declare const EventNotSupported: new (message: string) => Error;

const runtimeFetch: FetchLike = (url, init) => fetch(url, init);

function portsOf(options: AttributionFunctionOptions): AttributionPorts {
  const send = createTrackingSender({
    host: options.trackingApiHost,
    writeKey: options.writeKey,
    fetch: runtimeFetch,
  });
  return {
    readTraits: createProfileReader({
      host: options.profilesApiHost,
      spaceId: options.spaceId,
      token: options.profileApiToken,
      fetch: runtimeFetch,
    }),
    send,
    library: { name: 'touchpoint-segment-function', version },
  };
}

async function outcomesOf(events: readonly unknown[], settings: RawSettings): Promise<EventOutcome[]> {
  let options: AttributionFunctionOptions;
  try {
    options = attributionOptionsOf(settings);
  } catch (error) {
    return events.map(() => outcomeOf(error));
  }
  return runAttribution(events, options, portsOf(options));
}

/** One event: done returns; anything else throws the class that tells Segment what to do. */
async function handleOne(event: unknown, settings: RawSettings): Promise<void> {
  const [outcome] = await outcomesOf([event], settings);
  if (!outcome || outcome.kind === 'done') return;
  switch (outcome.kind) {
    case 'invalid':
      throw new InvalidEventPayload(outcome.message);
    case 'unsupported':
      throw new EventNotSupported(outcome.message);
    case 'retry':
      throw new RetryError(outcome.message);
    case 'configuration':
      // not retried: a retry cannot help until the setting is fixed; Segment shows the message
      throw new Error(outcome.message);
  }
}

const notAVisit = (type: string) => async () => {
  throw new EventNotSupported(
    `${type} carries no visit; touchpoint attribution reads page, track and screen`,
  );
};

export const onPage = handleOne;
export const onTrack = handleOne;
export const onScreen = handleOne;
export const onIdentify = notAVisit('identify');
export const onGroup = notAVisit('group');
export const onAlias = notAVisit('alias');
export const onDelete = notAVisit('delete');

/** One status per event, in input order; only 5xx entries are retried. */
export const onBatch = async (events: readonly unknown[], settings: RawSettings) =>
  (await outcomesOf(events, settings)).map(batchStatusOf);
