import type { RawMessage } from './index';

/** Messages per POST to the tracking API (Segment allows 500 KB per batch). */
const BATCH_SIZE = 100;

/**
 * Sends generated messages to a Segment-compatible tracking API (`POST {host}/v1/batch`, Basic auth
 * with the write key) at about `rate` messages per second, as they come from `messages` (a stream is
 * read as it is sent). Throws on the first non-2xx answer.
 */
export async function sendToTrackingApi(
  messages: Iterable<RawMessage> | AsyncIterable<RawMessage>,
  options: { host: string; writeKey: string; rate: number; onProgress?: (sent: number) => void },
): Promise<number> {
  const url = `${options.host.replace(/\/+$/, '')}/v1/batch`;
  const auth = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const started = Date.now();
  let sent = 0;
  let batch: RawMessage[] = [];
  const post = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
    });
    if (!response.ok) throw new Error(`tracking API answered ${response.status} after ${sent} messages`);
    sent += batch.length;
    options.onProgress?.(sent);
    const due = started + (sent / options.rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    batch = [];
  };
  for await (const message of messages) {
    batch.push(message);
    if (batch.length === BATCH_SIZE) await post();
  }
  if (batch.length > 0) await post();
  return sent;
}
