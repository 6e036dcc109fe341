import { writeBackMessageId } from '../../src/pipeline';

describe('writeBackMessageId', () => {
  const before = { traits: { a: 1, b: 1 }, at: '2026-01-01T00:00:00.000Z' };

  it('depends only on the target, the traits sent and the state they replace, within Segment limits', () => {
    const id = writeBackMessageId('user:u1', { a: 2 }, before);
    expect(writeBackMessageId('user:u1', { a: 2 }, structuredClone(before))).toBe(id);
    expect(writeBackMessageId('user:u2', { a: 2 }, before)).not.toBe(id);
    expect(writeBackMessageId('user:u1', { a: 3 }, before)).not.toBe(id);
    expect(writeBackMessageId('user:u1', { a: 2 }, { ...before, traits: { a: 1, b: 2 } })).not.toBe(id);
    expect(writeBackMessageId('user:u1', { a: 2 }, { traits: null, at: null })).not.toBe(id);
    expect(writeBackMessageId('user:u1', { a: 2 }, { ...before, by: 'touchpoint-other' })).not.toBe(id);
    const list = writeBackMessageId('user:u1', { recommended_products: ['p1', 'p2'] }, before);
    expect(writeBackMessageId('user:u1', { recommended_products: ['p2', 'p1'] }, before)).not.toBe(list);
    expect(id).toMatch(/^touchpoint-[0-9a-f]{40}$/);
    expect(id.length).toBeLessThanOrEqual(100);
  });

  it('gives a later change back to an earlier value a new id', () => {
    // a: 1 -> 2 -> 1 -> 2; the last write repeats the first change, but replaces a state written later
    const first = writeBackMessageId(
      'user:u1',
      { a: 2 },
      { traits: { a: 1 }, at: '2026-01-01T00:00:00.000Z' },
    );
    const back = writeBackMessageId(
      'user:u1',
      { a: 1 },
      { traits: { a: 2 }, at: '2026-01-01T00:01:00.000Z' },
    );
    const again = writeBackMessageId(
      'user:u1',
      { a: 2 },
      { traits: { a: 1 }, at: '2026-01-01T00:02:00.000Z' },
    );

    expect(new Set([first, back, again]).size).toBe(3);
  });
});
