import { RetryableError } from '../../src/errors';
import { ProfileLocks } from '../../src/pipeline';

/** A promise with its resolver, to hold a lock open until the test lets go. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('ProfileLocks', () => {
  it('runs holders of a shared key one after another, in the order they asked, and others at once', async () => {
    const locks = new ProfileLocks();
    const order: string[] = [];
    const first = gate();
    const far = Date.now() + 10_000;

    const a = locks.withKeys(['user:1', 'user:2'], far, async () => {
      order.push('a start');
      await first.opened;
      order.push('a end');
    });
    const b = locks.withKeys(['user:2'], far, async () => void order.push('b'));
    const c = locks.withKeys(['user:3'], far, async () => void order.push('c'));
    const d = locks.withKeys(['user:2', 'user:1'], far, async () => void order.push('d'));
    await c;
    first.open();
    await Promise.all([a, b, d]);

    expect(order).toEqual(['a start', 'c', 'a end', 'b', 'd']);
    expect(locks.size).toBe(0);
  });

  it('releases a key whose work failed', async () => {
    const locks = new ProfileLocks();
    const far = Date.now() + 10_000;

    const failed = locks.withKeys(['user:1'], far, async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');

    await expect(locks.withKeys(['user:1'], far, async () => 'next')).resolves.toBe('next');
  });

  it('throws RetryableError when a key stays held past the deadline, and keeps later holders queued', async () => {
    const locks = new ProfileLocks();
    const held = gate();
    const order: string[] = [];
    const holder = locks.withKeys(['user:1'], Date.now() + 10_000, async () => {
      await held.opened;
      order.push('holder');
    });

    const impatient = locks.withKeys(['user:1'], Date.now(), async () => void order.push('impatient'));
    await expect(impatient).rejects.toThrow(RetryableError);
    const patient = locks.withKeys(['user:1'], Date.now() + 10_000, async () => void order.push('patient'));
    held.open();
    await Promise.all([holder, patient]);

    expect(order).toEqual(['holder', 'patient']);
  });
});
