import { mappingOf } from '../../src/app/personalize';
import { RetryableError } from '../../src/errors';
import { createEventsClient, PersonalizeDatasets, PersonalizeTracker } from '../../src/personalize';
import {
  fakeClientOptions,
  message,
  orderCompleted,
  personalizeConfig,
  productViewed,
  recordingLogger,
  useFakePersonalize,
} from './helpers';

const defaults = personalizeConfig();
const MAPPING = mappingOf(defaults);
const USERS = 'arn:aws:personalize:us-east-1:123456789012:dataset/shop/USERS';
const ITEMS = 'arn:aws:personalize:us-east-1:123456789012:dataset/shop/ITEMS';

const identify = (
  userId: string,
  traits: Record<string, unknown>,
  minute = 0,
  messageId = `id-${userId}-${minute}`,
) =>
  message({
    type: 'identify',
    messageId,
    userId,
    anonymousId: `anon-${userId}`,
    timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
    traits,
  });

describe('PutUsers and PutItems on the wire (real SDK client, local Personalize)', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  beforeEach(() => {
    fake.rejectRecord = () => null;
  });

  function subject(overrides: { trackingId?: string | null; maxAttempts?: number } = {}) {
    const log = recordingLogger();
    const client = createEventsClient(
      fakeClientOptions(personalize.endpoint, { maxAttempts: overrides.maxAttempts ?? 2 }),
    );
    const datasets = new PersonalizeDatasets({
      client,
      usersDatasetArn: USERS,
      itemsDatasetArn: ITEMS,
      userTraits: defaults.userTraits.concat(['loyalty_tier']),
      itemEvents: defaults.itemEvents,
      itemProperties: defaults.itemProperties,
      mapping: MAPPING,
      log,
    });
    const tracker = new PersonalizeTracker({
      client,
      trackingId: overrides.trackingId === undefined ? 'tracker-1' : overrides.trackingId,
      datasets,
      mapping: MAPPING,
      log,
    });
    return { tracker, log };
  }

  it('sends allow-listed identify traits as users and product properties as items, before the events', async () => {
    // Prepare
    const { tracker } = subject();
    const messages = [
      identify('user-1', { plan: 'pro', loyalty_tier: 'gold', email: 'a@example.com', name: 'Ann' }),
      productViewed(
        { anonymousId: 'anon-user-1', userId: 'user-1' },
        { product_id: 'prod-001', category: 'Shoes', price: 49.99 },
      ),
    ];

    // Act
    const result = await tracker.track(messages, 3000);

    // Assess
    expect(result.rejected).toEqual([]);
    expect(fake.violations).toEqual([]);
    expect(fake.putUsers).toEqual([
      {
        datasetArn: USERS,
        users: [{ userId: 'user-1', properties: JSON.stringify({ plan: 'pro', loyaltyTier: 'gold' }) }],
      },
    ]);
    expect(fake.putItems).toEqual([
      {
        datasetArn: ITEMS,
        items: [{ itemId: 'prod-001', properties: JSON.stringify({ category: 'Shoes', price: 49.99 }) }],
      },
    ]);
    const order = fake.attempts.map((attempt) => attempt.operation);
    expect(order).toEqual(['users', 'items', 'events']);
  });

  it('deduplicates per window (newest value wins), sends at most 10 per call, and nothing unchanged again', async () => {
    const { tracker } = subject();
    const identifies = Array.from({ length: 12 }, (_, i) => identify(`user-${i}`, { plan: 'free' }, 1));
    const upgraded = identify('user-0', { plan: 'pro' }, 5);
    const order = orderCompleted({ anonymousId: 'anon-x' }, 11);

    await tracker.track([upgraded, ...identifies, order, order], 3000);
    const callsAfterFirst = fake.attempts.filter((attempt) => attempt.operation !== 'events').length;
    await tracker.track([upgraded, orderCompleted({ anonymousId: 'anon-y' }, 11)], 3000);

    expect(fake.violations).toEqual([]);
    expect(fake.putUsers.map((body) => body.users?.length)).toEqual([10, 2]);
    const users = fake.putUsers.flatMap((body) => body.users ?? []);
    expect(users).toHaveLength(12);
    expect(users.find((user) => user.userId === 'user-0')?.properties).toBe('{"plan":"pro"}');
    expect(fake.putItems.map((body) => body.items?.length)).toEqual([10, 1]);
    expect(fake.attempts.filter((attempt) => attempt.operation !== 'events')).toHaveLength(callsAfterFirst);
  });

  it('never sends ids or properties over the API limits', async () => {
    const { tracker } = subject();
    const longId = 'u'.repeat(257);
    await tracker.track(
      [
        identify(longId, { plan: 'pro' }),
        identify('user-2', { plan: 'p'.repeat(30_000) }),
        productViewed({ anonymousId: 'a' }, { product_id: 'i'.repeat(257), category: 'Shoes' }),
        productViewed({ anonymousId: 'b' }, { product_id: 'prod-9', category: 'c'.repeat(40_000), price: 3 }),
      ],
      3000,
    );

    expect(fake.violations).toEqual([]);
    expect(fake.putUsers).toEqual([]); // the long id is left out, the one trait did not fit 24,000 characters
    expect(fake.putItems).toEqual([
      { datasetArn: ITEMS, items: [{ itemId: 'prod-9', properties: '{"price":3}' }] },
    ]);
  });

  it('on InvalidInputException drops only the refused record, logs it, and still sends the events', async () => {
    const { tracker, log } = subject();
    fake.rejectRecord = (record) =>
      record.id === 'prod-bad' ? 'Item prod-bad: field CATEGORY is not in the schema' : null;

    const result = await tracker.track(
      [
        productViewed(
          { anonymousId: 'a', messageId: 'm-good' },
          { product_id: 'prod-good', category: 'Shoes' },
        ),
        productViewed({ anonymousId: 'b', messageId: 'm-bad' }, { product_id: 'prod-bad', category: 'Hats' }),
      ],
      3000,
    );

    expect(result.rejected).toEqual([]);
    expect(fake.putItems.flatMap((body) => body.items?.map((item) => item.itemId))).toEqual(['prod-good']);
    expect(fake.putEvents).toHaveLength(2);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'personalize_items_rejected', itemId: 'prod-bad' }),
    );
  });

  it('throws RetryableError on throttling before any PutEvents is sent, and the retry sends everything', async () => {
    const { tracker } = subject({ maxAttempts: 1 });
    fake.script.users.push({ status: 400, type: 'ThrottlingException' });
    const messages = [
      identify('user-1', { plan: 'pro' }),
      productViewed({ anonymousId: 'anon-user-1', userId: 'user-1' }),
    ];

    await expect(tracker.track(messages, 3000)).rejects.toBeInstanceOf(RetryableError);
    expect(fake.count('events')).toBe(0);
    await tracker.track(messages, 3000);

    expect(fake.putUsers).toHaveLength(1);
    expect(fake.putEvents).toHaveLength(1);
  });

  it('pauses PutItems after a configuration error and keeps the users and events going', async () => {
    const { tracker, log } = subject();
    fake.script.items.push({ status: 404, type: 'ResourceNotFoundException' });

    await tracker.track(
      [productViewed({ anonymousId: 'a' }, { product_id: 'prod-1', category: 'Shoes' })],
      3000,
    );
    await tracker.track(
      [productViewed({ anonymousId: 'b' }, { product_id: 'prod-2', category: 'Shoes' })],
      3000,
    );

    expect(fake.count('items')).toBe(1);
    expect(fake.putEvents).toHaveLength(2);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'personalize_configuration_error', operation: 'PutItems' }),
    );
  });

  it('keeps the datasets current without an event tracker', async () => {
    const { tracker } = subject({ trackingId: null });

    await tracker.track([identify('user-1', { plan: 'pro' })], 3000);

    expect(fake.putUsers).toHaveLength(1);
    expect(fake.count('events')).toBe(0);
  });
});
