import { writeBackMessageId } from '../../src/pipeline';

describe('writeBackMessageId', () => {
  it('is deterministic, order-insensitive for triggers, sensitive to every value, within Segment limits', () => {
    const a = writeBackMessageId('user:u1', ['m1', 'm2'], { a: 1, b: 2 });
    expect(writeBackMessageId('user:u1', ['m2', 'm1'], { a: 1, b: 2 })).toBe(a);
    expect(writeBackMessageId('user:u1', ['m3'], { a: 1, b: 2 })).not.toBe(a);
    expect(writeBackMessageId('user:u2', ['m1', 'm2'], { a: 1, b: 2 })).not.toBe(a);
    expect(writeBackMessageId('user:u1', ['m1', 'm2'], { a: 1, b: 3 })).not.toBe(a);
    const list = writeBackMessageId('user:u1', ['m1'], { recommended_products: ['p1', 'p2'] });
    expect(writeBackMessageId('user:u1', ['m1'], { recommended_products: ['p2', 'p1'] })).not.toBe(list);
    expect(a.length).toBeLessThanOrEqual(100);
  });
});
