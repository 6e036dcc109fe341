import { downstreamReadsBy, mappingOf } from '../../src/app/personalize';
import { loadConfig } from '../../src/config';
import { parseMessage, type SegmentMessage } from '../../src/events';
import { generateEvents } from '../../src/generate';
import { usersOf } from '../../src/personalize/datasets';
import { itemIdsOf, mapMessage, valueAt } from '../../src/personalize/mapping';
import {
  downstreamReadsOf,
  keptInWindow,
  keysRead,
  type DownstreamReads,
  type EventTracker,
} from '../../src/pipeline';
import { identifyEvent, pageEvent, trackEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';

const SITE = 'https://shop.example.com';
const NOTHING_READ: DownstreamReads = { context: [], properties: [], traits: [] };

function parsed(raw: Record<string, unknown>): SegmentMessage {
  const input = parseMessage(raw);
  if (input.kind !== 'message') throw new Error(`not a message: ${JSON.stringify(input)}`);
  return input.message;
}

describe('keysRead', () => {
  it('names the keys of a field that message paths read, each once, and nothing for other paths', () => {
    expect(
      keysRead(
        ['properties.product_id', 'context.device.type', 'context.device.id', 'context.locale'],
        'context',
      ),
    ).toEqual(['device', 'locale']);
    expect(keysRead(['properties.sku', 'contextual.x'], 'context')).toEqual([]);
    expect(keysRead([], 'traits')).toEqual([]);
  });

  it('says the whole field is read when a path names the field itself', () => {
    expect(keysRead(['context.device.type', 'context'], 'context')).toBeUndefined();
    expect(keysRead(['traits.'], 'traits')).toBeUndefined();
  });
});

describe('downstreamReadsOf', () => {
  it('sorts the paths into the keys read of context, properties and traits', () => {
    expect(
      downstreamReadsOf([
        'properties.product_id',
        'properties.sku',
        'context.device.type',
        'traits.plan',
        'name',
      ]),
    ).toEqual({ context: ['device'], properties: ['product_id', 'sku'], traits: ['plan'] });
  });
});

describe('keptInWindow', () => {
  const page = parsed({
    ...pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${SITE}/?utm_source=x` }),
    originalTimestamp: '2026-03-01T09:59:59Z',
    receivedAt: '2026-03-01T10:00:01Z',
    context: {
      page: { url: `${SITE}/?utm_source=x`, referrer: '' },
      device: { type: 'mobile' },
      userAgent: 'Mozilla/5.0',
    },
  });

  it('keeps only the context keys read downstream, and the fields downstream reads outside it', () => {
    const kept = keptInWindow(page, { ...NOTHING_READ, context: ['device', 'campaign'] });
    expect(kept).toEqual({
      type: 'page',
      messageId: page.messageId,
      anonymousId: 'a1',
      timestamp: page.timestamp,
      context: { device: { type: 'mobile' } },
    });
  });

  it("keeps of a page's properties and an identify's traits only the keys a path names", () => {
    const reads: DownstreamReads = { context: [], properties: ['url', 'product_id'], traits: ['plan'] };
    expect(keptInWindow(page, reads)).toHaveProperty('properties', { url: `${SITE}/?utm_source=x` });
    const identify = parsed({
      ...identifyEvent({ userId: 'u1', at: '2026-03-01T10:00:00Z' }),
      traits: { email: 'u1@example.com', plan: 'pro' },
    });
    expect(keptInWindow(identify, reads)).toHaveProperty('traits', { plan: 'pro' });
    expect(keptInWindow(identify, NOTHING_READ)).not.toHaveProperty('traits');
  });

  it("keeps a track's properties whole: products, event properties and value are read from them", () => {
    const properties = { products: [{ product_id: 'p1', price: 20 }], revenue: 20, coupon: 'SPRING' };
    const track = parsed(
      trackEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: SITE,
        event: 'Order Completed',
        properties,
      }),
    );
    const kept = keptInWindow(track, NOTHING_READ);
    expect(kept).toMatchObject({ type: 'track', event: 'Order Completed', properties });
    expect(kept).not.toHaveProperty('context');
  });

  it('drops the time fields nobody reads after parsing, and never changes the message it is given', () => {
    const before = structuredClone(page);
    const kept = keptInWindow(page, NOTHING_READ);
    expect(kept).not.toHaveProperty('originalTimestamp');
    expect(kept).not.toHaveProperty('receivedAt');
    expect(kept).not.toHaveProperty('properties');
    expect(kept.timestamp).toBe(page.timestamp);
    expect(page).toEqual(before);
  });

  it('keeps the message as it is when downstream may read any of it', () => {
    expect(keptInWindow(page, undefined)).toBe(page);
    expect(keptInWindow(page, { context: undefined, properties: undefined, traits: undefined })).toEqual({
      ...page,
      originalTimestamp: undefined,
      receivedAt: undefined,
    });
  });
});

describe('what Personalize makes of a kept message', () => {
  const messages = [
    ...generateEvents({ users: 300, seed: 7, start: new Date('2026-01-01T00:00:00Z') }),
    {
      ...identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2026-01-02T10:00:00Z' }),
      traits: { email: 'u1@example.com', plan: 'pro', loyalty_tier: 'gold' },
    },
  ].map(parsed);

  it.each([
    ['the default configuration', {}],
    [
      'page views tracked, item ids, context and filter values from page properties, context and traits',
      {
        PERSONALIZE_EVENT_TYPES: 'page=View,Product Viewed=View,Order Completed=Purchase,identify=Stitch',
        PERSONALIZE_ITEM_ID_PATHS: 'properties.product_id,properties.path',
        PERSONALIZE_CONTEXT: 'DEVICE=context.library.name,TITLE=properties.title',
        PERSONALIZE_FILTER_VALUES: 'EMAIL=traits.email',
        PERSONALIZE_EVENT_PROPERTIES: '*',
        PERSONALIZE_USER_TRAITS: 'plan,loyalty_tier',
      },
    ],
  ])('is what it makes of the whole message: %s', (_name, env: Record<string, string>) => {
    const { personalize } = loadConfig({ TOUCHPOINT_STORE: 'memory', ...env });
    const mapping = mappingOf(personalize);
    const reads = downstreamReadsBy(personalize);
    const paths = [...Object.values(personalize.context), ...Object.values(personalize.filterValues)];
    let mapped = 0;
    for (const message of messages) {
      const kept = keptInWindow(message, reads);
      const events = mapMessage(message, mapping);
      expect(mapMessage(kept, mapping)).toEqual(events);
      expect(itemIdsOf(kept, mapping)).toEqual(itemIdsOf(message, mapping));
      for (const path of paths) expect(valueAt(kept, path)).toEqual(valueAt(message, path));
      if (events.kind === 'events') mapped++;
    }
    expect(mapped).toBeGreaterThan(messages.length / 10);
    const kept = messages.map((message) => keptInWindow(message, reads));
    const users = usersOf(messages, personalize.userTraits);
    expect(users.length).toBeGreaterThan(0);
    expect(usersOf(kept, personalize.userTraits)).toEqual(users);
  });
});

describe('a window with downstreamReads', () => {
  it('classifies the touch from the whole context, and hands the tracker only the context keys it reads', async () => {
    // Prepare
    const seen: SegmentMessage[] = [];
    const tracker: EventTracker = {
      async track(messages) {
        seen.push(...messages);
        return { rejected: [] };
      },
    };
    const { settings } = testPipeline();
    const pipeline = testPipeline({
      tracker,
      settings: { ...settings, downstreamReads: { ...NOTHING_READ, context: ['device'] } },
    });
    const event = {
      ...pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/?utm_source=news&utm_medium=email`,
      }),
    };
    event.context = { ...(event.context as object), device: { type: 'tablet' }, userAgent: 'Mozilla/5.0' };

    // Act
    const report = await pipeline.deliver(event);

    // Assess
    expect(report).toMatchObject({ processed: 1, touches: 1 });
    const [touch] = await pipeline.store.touchesOf(['anon:a1']);
    expect(touch).toMatchObject({ source: 'news', medium: 'email' });
    expect(seen.map((message) => message.context)).toEqual([{ device: { type: 'tablet' } }]);
  });
});
