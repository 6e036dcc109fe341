import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope } from '../../src/events';

/** events/: the sample Segment messages for `sam local invoke` and the local loop, as Segment sends them. */
const DIR = join(__dirname, '../../events');
const samples = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const read = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), 'utf8'));

describe('events/', () => {
  it('has one sample per kind of message the local loop walks through', () => {
    expect(samples).toEqual([
      'alias.json',
      'delete.json',
      'identify.json',
      'invalid.json',
      'order-completed.json',
      'page-gclid.json',
      'page-utm.json',
      'product-added.json',
    ]);
  });

  it.each(samples.filter((name) => name !== 'invalid.json'))('%s is a valid Segment message', (name) => {
    // Act
    const results = parseEnvelope(read(name));

    // Assess
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ kind: 'message' });
  });

  it('invalid.json is rejected with a reason (an order without a userId or anonymousId)', () => {
    const results = parseEnvelope(read('invalid.json'));

    expect(results).toEqual([
      expect.objectContaining({
        kind: 'invalid',
        reason: expect.stringContaining('userId or an anonymousId'),
      }),
    ]);
  });

  it('carries what touchpoint reads: the UTM campaign, the gclid, the e-commerce events, one visitor', () => {
    const parsed = Object.fromEntries(
      samples.map((name) => {
        const [result] = parseEnvelope(read(name));
        return [name, result?.kind === 'message' ? result.message : null];
      }),
    );

    expect(parsed['page-utm.json']).toMatchObject({
      type: 'page',
      context: { campaign: { source: 'newsletter', medium: 'email' }, page: { referrer: '' } },
    });
    expect(parsed['page-gclid.json']?.context?.page?.url).toContain('gclid=');
    expect(parsed['product-added.json']).toMatchObject({ type: 'track', event: 'Product Added' });
    expect(parsed['order-completed.json']).toMatchObject({ type: 'track', event: 'Order Completed' });
    expect(parsed['alias.json']).toMatchObject({
      type: 'alias',
      previousId: 'legacy-7731',
      userId: 'user-1042',
    });
    expect(parsed['delete.json']).toMatchObject({ type: 'delete', userId: 'user-1042' });
    // The pages, the cart and the identify are one visitor, who becomes user-1042.
    const visitor = parsed['page-utm.json']?.anonymousId;
    for (const name of ['page-gclid.json', 'product-added.json', 'identify.json', 'order-completed.json']) {
      expect(parsed[name]?.anonymousId).toBe(visitor);
    }
    expect(parsed['identify.json']?.userId).toBe('user-1042');
  });
});
