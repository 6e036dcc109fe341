import { RetryableError } from '../errors';

/**
 * A keyed mutex: work holding a set of keys (profile targets) runs only once every earlier holder of any
 * of those keys is done, so two invocations in one process never compute, send and save the same
 * profile's write-back at the same time (both would diff against the same written state and send the
 * change twice). A holder takes all its keys in one synchronous step, so holders queue in the order they
 * asked and no two can wait for each other (no deadlock, whatever the key order).
 */
export class ProfileLocks {
  /** per key, the promise that settles when its last holder (queued so far) is done */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `work` while holding `keys`. Waiting past `deadlineAt` (epoch ms) throws RetryableError, so a
   * profile busy for longer than the invocation has left fails it for a redelivery instead of hanging.
   */
  async withKeys<T>(keys: readonly string[], deadlineAt: number, work: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const earlier: Array<Promise<void>> = [];
    for (const key of unique) {
      const tail = this.tails.get(key);
      if (tail) earlier.push(tail);
    }
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    // The next holder waits for this one and, should this one give up waiting, for its predecessors.
    const tail = Promise.all([...earlier, released]).then(() => undefined);
    for (const key of unique) this.tails.set(key, tail);
    const forget = () => {
      for (const key of unique) if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    let acquired = false;
    try {
      if (earlier.length > 0) await waitUntil(Promise.all(earlier), deadlineAt);
      acquired = true;
      return await work();
    } finally {
      release();
      // A holder that gave up waiting still orders the ones after it: its keys go once its turn is over.
      if (acquired) forget();
      else void tail.then(forget);
    }
  }

  /** keys held or waited for right now */
  get size(): number {
    return this.tails.size;
  }
}

async function waitUntil(ready: Promise<unknown>, deadlineAt: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), Math.max(0, deadlineAt - Date.now()));
  });
  try {
    if ((await Promise.race([ready, timedOut])) === 'timed out')
      throw new RetryableError('a profile stayed busy with another write-back until the deadline');
  } finally {
    clearTimeout(timer);
  }
}
