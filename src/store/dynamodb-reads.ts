import type { IdentityKey } from '../identity';

/** At most this many ids' reads are kept: a Lambda or Kinesis batch's profiles, not a replay window's. */
export const KEPT_READS = 1000;
/**
 * How long a read is kept. A write-back computes a profile milliseconds after resolving it; a read left
 * over (a profile resolved and not computed) must not stand in for a read much later, when other
 * containers may have written to the id.
 */
export const KEPT_READ_MS = 5000;

/** A read in flight for one id; marked stale when this store writes to the id's partition meanwhile. */
interface PendingRead {
  stale: boolean;
}

/**
 * What one Query of an id's partition read, kept for the next caller that asks for it, once.
 *
 * A write-back resolves the profile (each id's links) and then reads the ids' touches, conversions, newest
 * activity and the target's state. All of these live in the id's partition, so the links' Query reads
 * them as well, and the reads that follow take what it read instead of asking DynamoDB again: one read
 * request per id where there were three. `T` is what the store keeps of a read; its parts are taken
 * separately (`take(key, part)`), each at most once.
 *
 * A write this store makes to an id's partition drops what was kept for it, and so does one made while
 * the read was in flight, so a taken read never misses this container's own writes. Writes by other
 * containers are what the write-back's re-check round is for, as with any read; a read is kept for
 * KEPT_READ_MS at most.
 */
export class PartitionReads<T extends object> {
  private readonly kept = new Map<IdentityKey, { at: number; parts: Partial<T> }>();
  private readonly pending = new Map<IdentityKey, Set<PendingRead>>();

  /** `now` is the clock of the reads' ages (epoch ms). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Starts a read of `key`'s partition; hand the token to `finish`. */
  begin(key: IdentityKey): PendingRead {
    const read = { stale: false };
    const reads = this.pending.get(key) ?? new Set<PendingRead>();
    reads.add(read);
    this.pending.set(key, reads);
    return read;
  }

  /**
   * Keeps what the read found, unless this store wrote to the partition since it began; a read that
   * failed finishes with nothing found.
   */
  finish(key: IdentityKey, read: PendingRead, found?: T): void {
    const reads = this.pending.get(key);
    reads?.delete(read);
    if (reads?.size === 0) this.pending.delete(key);
    if (read.stale || found === undefined) return;
    this.kept.delete(key); // re-inserted last: the oldest entry is the first one evicted
    this.kept.set(key, { at: this.now(), parts: { ...found } });
    if (this.kept.size > KEPT_READS) this.kept.delete(this.kept.keys().next().value as IdentityKey);
  }

  /**
   * One part of the read kept for `key` (then no longer kept), or undefined when there is none or it is
   * older than KEPT_READ_MS.
   */
  take<P extends keyof T>(key: IdentityKey, part: P): T[P] | undefined {
    const entry = this.kept.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > KEPT_READ_MS) {
      this.kept.delete(key);
      return undefined;
    }
    if (!(part in entry.parts)) return undefined;
    const value = entry.parts[part];
    delete entry.parts[part];
    if (Object.keys(entry.parts).length === 0) this.kept.delete(key);
    return value;
  }

  /** This store wrote (or tried to write) to `key`'s partition: what was read of it is out of date. */
  written(key: IdentityKey): void {
    this.kept.delete(key);
    for (const read of this.pending.get(key) ?? []) read.stale = true;
  }

  /** How many ids have a read kept (for tests). */
  get size(): number {
    return this.kept.size;
  }
}
