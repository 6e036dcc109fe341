import { LOCAL_FALLBACK_ORIGIN, LocalFallbackRecommender } from '../../src/personalize';
import { createApp } from '../../src/app';
import { parseEnvelope } from '../../src/events';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store';
import { RecordingTraitWriter } from '../support/recording-writer';
import { pageEvent, trackEvent } from '../support/events';
import { personalizeConfig, productViewed } from './helpers';

const config = personalizeConfig();
const mapping = { eventTypes: config.eventTypes, itemIdPaths: config.itemIdPaths, eventProperties: null };
const viewed = (anonymousId: string, item: string, minute: number) =>
  productViewed(
    { anonymousId, at: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString() },
    { product_id: item },
  );

describe('LocalFallbackRecommender', () => {
  it("recommends what others viewed in the same session as the visitor's items, most co-occurring first", () => {
    // Prepare
    const model = new LocalFallbackRecommender({ mapping, numResults: 2 });
    for (const [device, items] of [
      ['d1', ['A', 'B', 'C']],
      ['d2', ['A', 'B']],
      ['d3', ['A', 'C', 'D']],
      ['d4', ['A', 'B']],
    ] as const) {
      items.forEach((item, minute) => model.learn(viewed(device, item, minute)));
    }
    model.learn(viewed('me', 'A', 0));

    // Act
    const result = model.recommendFor({ keys: ['anon:me'], target: 'anon:me' });

    // Assess
    expect(result).toEqual(['B', 'C']);
  });

  it("fills with the most popular items, never the visitor's own, when co-occurrence runs out", () => {
    const model = new LocalFallbackRecommender({ mapping, numResults: 3 });
    model.learn(viewed('d1', 'X', 0));
    model.learn(viewed('d2', 'X', 0));
    model.learn(viewed('d3', 'Y', 0));
    model.learn(viewed('me', 'Z', 0));

    expect(model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['X', 'Y']);
  });

  it('does not count items from visits more than 30 minutes apart as one session', () => {
    const model = new LocalFallbackRecommender({ mapping, numResults: 5 });
    model.learn(viewed('d1', 'A', 0));
    model.learn(viewed('d1', 'B', 45));
    model.learn(viewed('d2', 'C', 0));
    model.learn(viewed('d2', 'C', 1));
    model.learn(viewed('me', 'A', 0));

    // B co-occurred with A only across a 45-minute gap, so the more popular C ranks first.
    expect(model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['C', 'B']);
  });

  it('counts a redelivered message once', () => {
    const model = new LocalFallbackRecommender({ mapping, numResults: 5 });
    const once = viewed('d1', 'A', 0);
    model.learn(once);
    model.learn(once);
    model.learn(viewed('d2', 'B', 0));

    expect(model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['A', 'B']);
  });

  it('labels its results as the local fallback', async () => {
    const model = new LocalFallbackRecommender({ mapping, numResults: 5 });
    model.learn(viewed('d1', 'A', 0));

    const result = await model.recommend({
      profile: { keys: ['anon:me'], target: 'anon:me' },
      userId: 'me',
      message: viewed('me', 'Q', 0),
      timeoutMs: 100,
    });

    expect(model.origin).toBe('local-fallback');
    expect(result).toEqual({ items: ['A'], recommendationId: LOCAL_FALLBACK_ORIGIN });
  });
});

describe('createApp without Personalize configured', () => {
  it('fills recommended_products from the local fallback, labelled, and sends nothing to AWS', async () => {
    // Prepare
    const store = new MemoryStore();
    const writer = new RecordingTraitWriter();
    const app = await createApp({ TOUCHPOINT_STORE: 'memory' }, { store, writer, log: silentLogger });
    const site = 'https://shop.example.com';
    const events = [
      pageEvent({ anonymousId: 'other', at: '2026-03-01T09:00:00Z', url: `${site}/` }),
      trackEvent({
        anonymousId: 'other',
        at: '2026-03-01T09:01:00Z',
        url: `${site}/p`,
        event: 'Product Viewed',
        properties: { product_id: 'A' },
      }),
      trackEvent({
        anonymousId: 'other',
        at: '2026-03-01T09:02:00Z',
        url: `${site}/p`,
        event: 'Product Added',
        properties: { product_id: 'B' },
      }),
      pageEvent({ anonymousId: 'me', at: '2026-03-01T10:00:00Z', url: `${site}/` }),
      trackEvent({
        anonymousId: 'me',
        at: '2026-03-01T10:01:00Z',
        url: `${site}/p`,
        event: 'Product Added',
        properties: { product_id: 'A' },
      }),
    ];

    // Act
    await app.engine.deliver(parseEnvelope(events), Date.now() + 5000);

    // Assess
    expect(app.pipeline.tracker).toBeUndefined();
    expect(writer.profiles().get('anon:me')).toMatchObject({
      recommended_products: ['B'],
      recommendation_id: 'local-fallback',
    });
    expect((await store.getProfileState('anon:me'))?.recommendations?.origin).toBe('local-fallback');
  });
});
