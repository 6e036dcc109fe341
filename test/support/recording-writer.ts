import type { Traits } from '../../src/attribution';
import type { IdentityKey } from '../../src/identity';
import type { IdentifyCall, TrackCall, TraitWriter } from '../../src/writeback';

/**
 * A TraitWriter that records what it was asked to deliver, and can be told to fail the next flushes
 * (as a Segment outage would).
 */
export class RecordingTraitWriter implements TraitWriter {
  readonly delivered: IdentifyCall[] = [];
  /** the track calls delivered (`Conversion Attributed`) */
  readonly tracked: TrackCall[] = [];
  private queue: IdentifyCall[] = [];
  private trackQueue: TrackCall[] = [];
  failNextFlushes = 0;

  identify(call: IdentifyCall): void {
    this.queue.push(call);
  }

  track(call: TrackCall): void {
    this.trackQueue.push(call);
  }

  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    const calls = this.queue;
    const tracks = this.trackQueue;
    this.queue = [];
    this.trackQueue = [];
    if (this.failNextFlushes > 0) {
      this.failNextFlushes--;
      const { RetryableError } = await import('../../src/errors');
      throw new RetryableError('simulated Segment outage');
    }
    this.delivered.push(...calls);
    this.tracked.push(...tracks);
    return { rejected: [] };
  }

  async close(): Promise<void> {}

  /** Traits per target, merged in delivery order, as Segment merges them on a profile. */
  profiles(): Map<IdentityKey, Traits> {
    const merged = new Map<IdentityKey, Traits>();
    for (const call of this.delivered)
      merged.set(call.target, { ...(merged.get(call.target) ?? {}), ...call.traits });
    return merged;
  }
}
