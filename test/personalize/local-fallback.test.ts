import { LOCAL_FALLBACK_ORIGIN, LocalFallbackRecommender, MODEL_BOUNDS } from '../../src/personalize';
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
  it("recommends what others viewed in the same session as the visitor's items, most co-occurring first", async () => {
    // Prepare
    const model = new LocalFallbackRecommender({ store: new MemoryStore(), mapping, numResults: 2 });
    for (const [device, items] of [
      ['d1', ['A', 'B', 'C']],
      ['d2', ['A', 'B']],
      ['d3', ['A', 'C', 'D']],
      ['d4', ['A', 'B']],
    ] as const) {
      for (const [minute, item] of items.entries()) await model.learn(viewed(device, item, minute));
    }
    await model.learn(viewed('me', 'A', 0));

    // Act
    const result = await model.recommendFor({ keys: ['anon:me'], target: 'anon:me' });

    // Assess
    expect(result).toEqual(['B', 'C']);
  });

  it("fills with the most popular items, never the visitor's own, when co-occurrence runs out", async () => {
    const model = new LocalFallbackRecommender({ store: new MemoryStore(), mapping, numResults: 3 });
    await model.learn(viewed('d1', 'X', 0));
    await model.learn(viewed('d2', 'X', 0));
    await model.learn(viewed('d3', 'Y', 0));
    await model.learn(viewed('me', 'Z', 0));

    expect(await model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['X', 'Y']);
  });

  it('does not count items from visits more than 30 minutes apart as one session', async () => {
    const model = new LocalFallbackRecommender({ store: new MemoryStore(), mapping, numResults: 5 });
    await model.learn(viewed('d1', 'A', 0));
    await model.learn(viewed('d1', 'B', 45));
    await model.learn(viewed('d2', 'C', 0));
    await model.learn(viewed('d2', 'C', 1));
    await model.learn(viewed('me', 'A', 0));

    // B co-occurred with A only across a 45-minute gap, so the more popular C ranks first.
    expect(await model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['C', 'B']);
  });

  it('counts a redelivered message once', async () => {
    const model = new LocalFallbackRecommender({ store: new MemoryStore(), mapping, numResults: 5 });
    const once = viewed('d1', 'A', 0);
    await model.learn(once);
    await model.learn(once);
    await model.learn(viewed('d2', 'B', 0));

    expect(await model.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['A', 'B']);
  });

  it('labels its results as the local fallback', async () => {
    const model = new LocalFallbackRecommender({ store: new MemoryStore(), mapping, numResults: 5 });
    await model.learn(viewed('d1', 'A', 0));

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

describe('LocalFallbackRecommender state in the store', () => {
  const fallback = (store: MemoryStore, numResults = 5) =>
    new LocalFallbackRecommender({ store, mapping, numResults });

  it('learns a message once per store, even from two processes that both receive it', async () => {
    const store = new MemoryStore();
    const twice = viewed('d1', 'A', 0);
    await fallback(store).learn(twice);
    await fallback(store).learn(twice);
    await fallback(store).learn(viewed('d2', 'B', 0));
    await fallback(store).learn(viewed('d3', 'B', 0));

    // A counted twice would tie with B and win the tie.
    expect(await fallback(store).recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['B', 'A']);
  });

  it('recommends from a new instance on the same store exactly as the one that learned', async () => {
    const store = new MemoryStore();
    const learner = fallback(store);
    for (const [device, items] of [
      ['d1', ['A', 'B', 'C']],
      ['d2', ['B', 'D']],
      ['me', ['B']],
    ] as const)
      for (const [minute, item] of items.entries()) await learner.learn(viewed(device, item, minute));
    const profile = { keys: ['anon:me'] as const, target: 'anon:me' as const };

    const before = await learner.recommendFor({ ...profile, keys: [...profile.keys] });
    const after = await fallback(store).recommendFor({ ...profile, keys: [...profile.keys] });

    expect(before).toEqual(['A', 'C', 'D']);
    expect(after).toEqual(before);
  });

  it.each([
    ['a batch of 10 devices', 10, []],
    ['a window of 1,200 devices', 1200, ['device:anon:me']],
  ])(
    'after %s, recommends as a new instance does, reading again only the histories of a big window',
    async (_name, devices: number, reread: string[]) => {
      // Prepare
      const reads: string[] = [];
      const store = new (class extends MemoryStore {
        override async readRecommenderDocs(keys: readonly string[]) {
          reads.push(...keys);
          return super.readRecommenderDocs(keys);
        }
      })();
      const items = ['A', 'B', 'C', 'D', 'E'];
      const events = Array.from({ length: devices }, (_, device) => [
        viewed(`d${device}`, items[device % 5] as string, 0),
        viewed(`d${device}`, items[(device * 3 + 1) % 5] as string, 1),
      ]).flat();
      const learner = fallback(store, 3);
      await learner.observe([...events, viewed('me', 'A', 0)]);
      reads.length = 0;
      const profile = { keys: ['anon:me' as const], target: 'anon:me' as const };

      // Act
      const recommended = await learner.recommendFor(profile);

      // Assess
      expect(reads).toEqual(reread);
      expect(recommended).toHaveLength(3);
      expect(recommended).toEqual(await fallback(store, 3).recommendFor(profile));
    },
  );

  it('learns a batch of messages like the same messages one by one', async () => {
    const events = [
      viewed('d1', 'A', 0),
      viewed('d1', 'B', 1),
      viewed('d2', 'B', 0),
      viewed('d2', 'C', 2),
      viewed('me', 'B', 0),
    ];
    const oneByOne = new MemoryStore();
    for (const event of events) await fallback(oneByOne).learn(event);
    const batched = new MemoryStore();
    await fallback(batched).observe(events);

    const profile = { keys: ['anon:me' as const], target: 'anon:me' as const };
    expect(await fallback(batched).recommendFor(profile)).toEqual(['A', 'C']);
    expect(await fallback(batched).recommendFor(profile)).toEqual(
      await fallback(oneByOne).recommendFor(profile),
    );
  });

  it('keeps every document within its bounds however long a session gets', async () => {
    const store = new MemoryStore();
    const learner = fallback(store);
    const items = Array.from({ length: 130 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    for (const [index, item] of items.entries())
      await learner.learn(
        productViewed(
          { anonymousId: 'long', at: new Date(Date.UTC(2026, 2, 1, 10, 0, index)).toISOString() },
          { product_id: item },
        ),
      );
    for (const item of items) {
      // 130 other devices each see item-000 with another item: more neighbours than item-000 keeps
      await learner.learn(viewed(`pair-${item}`, item, 0));
      await learner.learn(viewed(`pair-${item}`, 'item-000', 1));
    }

    const docs = await store.readRecommenderDocs(['device:anon:long', 'item:item-000', 'popular']);
    const popularity = docs.get('popular')?.value as Record<string, number>;
    const device = docs.get('device:anon:long')?.value as { session: string[]; items: string[] };
    const first = docs.get('item:item-000')?.value as { together: Record<string, number> };
    expect(device.session).toHaveLength(MODEL_BOUNDS.sessionItems);
    expect(device.items).toHaveLength(MODEL_BOUNDS.deviceItems);
    expect(Object.keys(first.together)).toHaveLength(MODEL_BOUNDS.neighbours);
    expect(Object.keys(popularity)).toHaveLength(MODEL_BOUNDS.popular);
    expect(popularity['item-000']).toBe(items.length + 2); // the long session, each pair, pair-item-000 twice
  });

  it('learns the same model whatever the store writes at once: a whole window, DynamoDB-sized groups, one by one', async () => {
    // Enough items and sessions that item and popularity documents go past their bounds and get trimmed.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const items = Array.from({ length: 160 }, (_, i) => `sku-${i}`);
    const events = Array.from({ length: 1500 }, (_, i) =>
      viewed(
        `d${Math.floor(random() * 60)}`,
        items[Math.floor(random() ** 2 * items.length)] as string,
        i % 50,
      ),
    );
    class GroupsOf100 extends MemoryStore {
      override readonly maxRecommenderWrites = 100;
    }
    const oneByOne = new MemoryStore();
    for (const event of events) await fallback(oneByOne).learn(event);
    const inGroups = new GroupsOf100();
    await fallback(inGroups).observe(events);
    const inOne = new MemoryStore();
    await fallback(inOne).observe(events);

    const keys = [
      'popular',
      ...items.map((item) => `item:${item}`),
      ...Array.from({ length: 60 }, (_, i) => `device:anon:d${i}`),
    ];
    const model = async (store: MemoryStore) =>
      Object.fromEntries([...(await store.readRecommenderDocs(keys))].map(([key, doc]) => [key, doc.value]));
    const expected = await model(oneByOne);
    const trimmed = Object.values(expected).filter(
      (value) =>
        Object.keys((value as { together?: object }).together ?? {}).length === MODEL_BOUNDS.neighbours,
    );
    expect(trimmed.length).toBeGreaterThan(0);
    expect(Object.keys(expected['popular'] as object)).toHaveLength(MODEL_BOUNDS.popular);
    expect(await model(inGroups)).toEqual(expected);
    expect(await model(inOne)).toEqual(expected);
    const profile = { keys: ['anon:d1' as const], target: 'anon:d1' as const };
    expect(await fallback(inOne).recommendFor(profile)).toEqual(
      await fallback(oneByOne).recommendFor(profile),
    );
  });

  it('keeps the strongest neighbours when it trims, ties to the lower item id', async () => {
    const store = new MemoryStore();
    const learner = fallback(store);
    // item-000 meets 101 items once each, and item-050 a second time: the 101st neighbour by id goes.
    const others = Array.from({ length: 101 }, (_, i) => `item-${String(i + 1).padStart(3, '0')}`);
    for (const [i, item] of [...others, 'item-050'].entries())
      for (const [minute, seen] of [item, 'item-000'].entries())
        await learner.learn(viewed(`pair-${item}-${i}`, seen, minute));

    const doc = (await store.readRecommenderDocs(['item:item-000'])).get('item:item-000');
    const together = (doc?.value as { together: Record<string, number> }).together;
    expect(Object.keys(together)).toHaveLength(MODEL_BOUNDS.neighbours);
    expect(together['item-050']).toBe(2);
    expect(together['item-101']).toBeUndefined();
    expect(together['item-100']).toBe(1);
  });

  it('re-reads and re-applies a lesson that raced another writer, so both are counted', async () => {
    const store = new MemoryStore();
    const other = fallback(store);
    let raced = false;
    const racing = Object.create(store) as MemoryStore;
    racing.writeRecommenderDocs = async (writes) => {
      if (!raced) {
        raced = true; // another container learns from the same device in between
        await other.learn(viewed('d1', 'B', 1));
      }
      return store.writeRecommenderDocs(writes);
    };

    await fallback(racing).learn(viewed('d1', 'A', 0));
    await other.learn(viewed('me', 'A', 0));

    expect(await other.recommendFor({ keys: ['anon:me'], target: 'anon:me' })).toEqual(['B']);
    const popular = (await store.readRecommenderDocs(['popular'])).get('popular')?.value;
    expect(popular).toEqual({ A: 2, B: 1 });
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
