/**
 * The local Segment tracking API (test/support/segment-server.ts) in a process of its own, for the handler
 * bench: the handler's HTTP write-back then crosses a real process boundary on 127.0.0.1, as it would to
 * Segment, instead of sharing the bench's event loop. Prints its URL on the first line; on SIGTERM prints
 * `{"messages": n}` (identify calls received, the bench's bare reference round trips left out) and exits.
 */
import { FakeSegmentApi } from '../../test/support/segment-server';

const api = new FakeSegmentApi();
void api.start().then((url) => console.log(url));
process.once('SIGTERM', () => {
  const fromTouchpoint = api.messages().filter((message) => !String(message.userId).startsWith('reference-'));
  console.log(JSON.stringify({ messages: fromTouchpoint.length }));
  void api.stop().then(() => process.exit(0));
});
