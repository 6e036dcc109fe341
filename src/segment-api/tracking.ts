import { basicAuth, callSegment, type FetchLike } from './http';

/** Where and with which write key to send. */
export interface TrackingSenderOptions {
  /** `https://api.segment.io`, or `https://events.eu1.segmentapis.com` for EU workspaces */
  host: string;
  writeKey: string;
  fetch: FetchLike;
  /** the time `sentAt` says (injected for tests) */
  now?: () => Date;
}

/**
 * Sends messages in one Tracking API `/v1/batch` request (Basic auth with the write key). 429 and 5xx
 * retry; 401/403 name the writeKey setting. No retries here: the Functions runtime retries the event.
 */
export function createTrackingSender(options: TrackingSenderOptions) {
  const now = options.now ?? (() => new Date());
  return async function send(messages: readonly object[]): Promise<void> {
    if (messages.length === 0) return;
    await callSegment(
      options.fetch,
      `${options.host}/v1/batch`,
      {
        method: 'POST',
        headers: { authorization: basicAuth(options.writeKey), 'content-type': 'application/json' },
        body: JSON.stringify({ batch: messages, sentAt: now().toISOString() }),
      },
      { api: 'Tracking API', credentials: 'the writeKey setting' },
    );
  };
}
