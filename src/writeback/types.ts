import type { Traits } from '../attribution';
import type { IdentityKey } from '../identity';

/** One identify call that writes traits back to a Segment profile. */
export interface IdentifyCall {
  target: IdentityKey;
  traits: Traits;
  /** deterministic, so a retried write-back is deduplicated by Segment */
  messageId: string;
  /** ISO-8601: the profile's newest event timestamp, so backfills write history-consistent times */
  timestamp: string;
}

/**
 * Sends identify calls. `identify` queues; `flush` delivers everything queued within `timeoutMs` and
 * throws RetryableError on a transient failure, so the invocation fails and Segment retries. It returns
 * the calls that were rejected permanently (they are logged, not retried).
 */
export interface TraitWriter {
  identify(call: IdentifyCall): void;
  flush(timeoutMs: number): Promise<{ rejected: IdentifyCall[] }>;
  close(): Promise<void>;
}
