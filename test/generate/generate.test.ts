import { generateEvents, productCatalog } from '../../src/generate';
import { parseMessage } from '../../src/events';

const start = new Date('2026-03-01T00:00:00Z');

describe('generateEvents', () => {
  const events = generateEvents({ users: 300, seed: 7, start });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateEvents({ users: 300, seed: 7, start })).toEqual(events);
    expect(generateEvents({ users: 300, seed: 8, start })).not.toEqual(events);
  });

  it('produces only valid Segment messages, sorted by timestamp, with unique messageIds', () => {
    expect(events.every((event) => parseMessage(event).kind === 'message')).toBe(true);
    const timestamps = events.map((event) => event.timestamp as string);
    expect([...timestamps].sort()).toEqual(timestamps);
    expect(new Set(events.map((event) => event.messageId)).size).toBe(events.length);
  });

  it('covers the channel mix, identity and e-commerce events', () => {
    const urls = events.map((event) => JSON.stringify(event));
    const count = (needle: string) => urls.filter((text) => text.includes(needle)).length;
    for (const needle of [
      'gclid=',
      'msclkid=',
      'fbclid=',
      'utm_medium=email',
      'chatgpt.com',
      'https://www.google.com/search?q=',
      'news.ycombinator.com',
    ]) {
      expect(count(needle)).toBeGreaterThan(0);
    }
    const types = new Set(events.map((event) => (event.type === 'track' ? event.event : event.type)));
    expect([...types].sort()).toEqual(
      ['Order Completed', 'Product Added', 'Product Viewed', 'alias', 'identify', 'page'].sort(),
    );
    const anonymousIdsPerUser = new Map<string, Set<string>>();
    for (const event of events) {
      if (typeof event.userId === 'string') {
        const ids = anonymousIdsPerUser.get(event.userId) ?? new Set<string>();
        ids.add(event.anonymousId as string);
        anonymousIdsPerUser.set(event.userId, ids);
      }
    }
    expect([...anonymousIdsPerUser.values()].some((ids) => ids.size > 1)).toBe(true);
  });

  it('has a catalog with ids, skus and prices', () => {
    const catalog = productCatalog();
    expect(catalog).toHaveLength(60);
    expect(catalog.every((product) => product.price > 0 && product.sku.startsWith('SKU-'))).toBe(true);
  });
});
