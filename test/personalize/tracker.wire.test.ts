import { mappingOf } from '../../src/app/personalize';
import { RetryableError } from '../../src/errors';
import { createEventsClient, PersonalizeTracker, type MappingOptions } from '../../src/personalize';
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

describe('PersonalizeTracker on the wire (real SDK client, local Personalize)', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  beforeEach(() => {
    fake.rejectPutEvents = () => null;
  });

  function tracker(
    options: { mapping?: MappingOptions; requestTimeoutMs?: number; maxAttempts?: number } = {},
  ) {
    const log = recordingLogger();
    const client = createEventsClient(
      fakeClientOptions(personalize.endpoint, {
        requestTimeoutMs: options.requestTimeoutMs ?? 400,
        maxAttempts: options.maxAttempts ?? 2,
      }),
    );
    return {
      log,
      tracker: new PersonalizeTracker({
        client,
        trackingId: 'tracker-1',
        mapping: options.mapping ?? MAPPING,
        log,
      }),
    };
  }

  describe('mapping', () => {
    it('sends eventId = messageId, sessionId = anonymousId, userId, sentAt in epoch seconds with ms, and a top-level itemId', async () => {
      // Prepare
      const { tracker: subject } = tracker();
      const event = productViewed({
        anonymousId: 'anon-1',
        userId: 'user-1',
        messageId: 'msg-1',
        at: '2026-03-01T10:00:00.123Z',
      });

      // Act
      const result = await subject.track([event], 3000);

      // Assess
      expect(result.rejected).toEqual([]);
      expect(fake.putEvents).toHaveLength(1);
      const body = fake.putEvents[0]!;
      expect(body).toMatchObject({ trackingId: 'tracker-1', sessionId: 'anon-1', userId: 'user-1' });
      expect(body.eventList).toEqual([
        {
          eventId: 'msg-1',
          eventType: 'View',
          sentAt: Date.parse('2026-03-01T10:00:00.123Z') / 1000,
          itemId: 'prod-001',
          eventValue: 49.99,
          properties: JSON.stringify({ name: 'Shoe 1', category: 'Shoes' }),
        },
      ]);
    });

    it('falls back to the sku when there is no product_id, and to the userId as sessionId without an anonymousId', async () => {
      const { tracker: subject } = tracker();
      const event = productViewed({ userId: 'user-2', messageId: 'msg-2' }, { product_id: undefined });

      await subject.track([event], 3000);

      expect(fake.putEvents[0]).toMatchObject({ sessionId: 'user-2', userId: 'user-2' });
      expect(fake.putEvents[0]?.eventList?.[0]?.itemId).toBe('SKU-1000');
    });

    it('passes recommendationId and impression through', async () => {
      const { tracker: subject } = tracker();
      const event = productViewed(
        { anonymousId: 'anon-1' },
        { recommendation_id: 'RID-7', impression: ['a', 'b', 'c'] },
      );

      await subject.track([event], 3000);

      expect(fake.putEvents[0]?.eventList?.[0]).toMatchObject({
        recommendationId: 'RID-7',
        impression: ['a', 'b', 'c'],
      });
    });

    it('closes the loop: recommendationId, impression and the metric attribution source of a clicked recommendation', async () => {
      const { tracker: subject } = tracker();
      const clicked = message({
        type: 'track',
        event: 'Product Clicked',
        messageId: 'click-1',
        anonymousId: 'anon-1',
        userId: 'user-1',
        timestamp: '2026-03-01T10:00:00.000Z',
        properties: {
          product_id: 'prod-002',
          recommendationId: 'RID-12',
          impressions: ['prod-002', 'prod-003', 7],
          event_attribution_source: 'homepage-carousel',
          position: 1,
        },
      });

      const result = await subject.track([clicked], 3000);

      expect(result.rejected).toEqual([]);
      expect(fake.violations).toEqual([]);
      const sent = fake.putEvents[0]?.eventList?.[0];
      expect(sent).toMatchObject({
        eventType: 'Click',
        itemId: 'prod-002',
        recommendationId: 'RID-12',
        impression: ['prod-002', 'prod-003', '7'],
        metricAttribution: { eventAttributionSource: 'homepage-carousel' },
      });
      expect(JSON.parse(sent?.properties ?? '{}')).toEqual({ position: 1 });
    });

    it('reads the attribution source from the configured path, and leaves out one Personalize would refuse', async () => {
      const { tracker: subject } = tracker({
        mapping: { ...MAPPING, attributionSourcePath: 'context.campaign.source' },
      });
      const withSource = (messageId: string, source: unknown) =>
        message({
          type: 'track',
          event: 'Product Viewed',
          messageId,
          anonymousId: `anon-${messageId}`,
          timestamp: '2026-03-01T10:00:00.000Z',
          properties: { product_id: 'prod-001' },
          context: { campaign: { source } },
        });

      await subject.track(
        [withSource('ok', 'newsletter'), withSource('blank', '   '), withSource('long', 'x'.repeat(1025))],
        3000,
      );

      expect(fake.violations).toEqual([]);
      const bySession = new Map(fake.putEvents.map((body) => [body.sessionId, body.eventList?.[0]]));
      expect(bySession.get('anon-ok')?.metricAttribution).toEqual({ eventAttributionSource: 'newsletter' });
      expect(bySession.get('anon-blank')).not.toHaveProperty('metricAttribution');
      expect(bySession.get('anon-long')).not.toHaveProperty('metricAttribution');
    });

    it('does not send events that are not configured, nor events without an item id', async () => {
      const { tracker: subject } = tracker();
      const page = message({
        type: 'page',
        messageId: 'p1',
        anonymousId: 'anon-1',
        timestamp: '2026-03-01T10:00:00Z',
      });
      const noItem = productViewed({ anonymousId: 'anon-1' }, { product_id: undefined, sku: undefined });

      const result = await subject.track([page, noItem], 3000);

      expect(result.rejected).toEqual([]);
      expect(fake.count('events')).toBe(0);
    });

    it('expands an 11-product order into one event per product, in calls of at most 10', async () => {
      const { tracker: subject } = tracker();
      const order = orderCompleted({ anonymousId: 'anon-9', userId: 'user-9', messageId: 'order-msg' }, 11);

      const result = await subject.track([order], 3000);

      expect(result.rejected).toEqual([]);
      expect(fake.putEvents.map((body) => body.eventList?.length)).toEqual([10, 1]);
      const events = fake.putEvents.flatMap((body) => body.eventList ?? []);
      expect(events.map((event) => event.eventId)).toEqual(
        Array.from({ length: 11 }, (_, i) => `order-msg#${i}`),
      );
      expect(events.map((event) => event.itemId)).toEqual(
        Array.from({ length: 11 }, (_, i) => `prod-${String(i + 1).padStart(3, '0')}`),
      );
      expect(events.every((event) => event.eventType === 'Purchase')).toBe(true);
      expect(events[3]?.eventValue).toBe(13);
      expect(fake.violations).toEqual([]);
    });

    it('sends an identify as a stitch event carrying both ids when identify is mapped', async () => {
      const { tracker: subject } = tracker({
        mapping: { ...MAPPING, eventTypes: { ...MAPPING.eventTypes, identify: 'Identify' } },
      });
      const identify = message({
        type: 'identify',
        messageId: 'id-1',
        anonymousId: 'anon-3',
        userId: 'user-3',
        timestamp: '2026-03-01T10:00:00Z',
      });

      await subject.track([identify], 3000);

      expect(fake.putEvents).toEqual([
        expect.objectContaining({
          sessionId: 'anon-3',
          userId: 'user-3',
          eventList: [expect.objectContaining({ eventId: 'id-1', eventType: 'Identify' })],
        }),
      ]);
    });

    it('after an identify, sends the next tracked event with both sessionId and userId so Personalize can stitch', async () => {
      const { tracker: subject } = tracker();
      const before = productViewed({ anonymousId: 'anon-4', messageId: 'before' });
      const after = productViewed({ anonymousId: 'anon-4', userId: 'user-4', messageId: 'after' });

      await subject.track([before], 3000);
      await subject.track([after], 3000);

      expect(fake.putEvents.map((body) => [body.sessionId, body.userId ?? null])).toEqual([
        ['anon-4', null],
        ['anon-4', 'user-4'],
      ]);
    });
  });

  describe('batching', () => {
    it('groups one session of a replay chunk into calls of 10 and never mixes sessions or users in a call', async () => {
      const { tracker: subject } = tracker();
      const events = [
        ...Array.from({ length: 25 }, (_, i) =>
          productViewed({ anonymousId: 'anon-a', messageId: `a-${i}` }),
        ),
        ...Array.from({ length: 3 }, (_, i) => productViewed({ anonymousId: 'anon-b', messageId: `b-${i}` })),
        ...Array.from({ length: 2 }, (_, i) =>
          productViewed({ anonymousId: 'anon-a', userId: 'user-a', messageId: `au-${i}` }),
        ),
      ];

      await subject.track(events, 3000);

      const shape = fake.putEvents
        .map((body) => `${body.sessionId}/${body.userId ?? '-'}:${body.eventList?.length}`)
        .sort();
      expect(shape).toEqual(['anon-a/-:10', 'anon-a/-:10', 'anon-a/-:5', 'anon-a/user-a:2', 'anon-b/-:3']);
      expect(fake.violations).toEqual([]);
    });
  });

  describe('limits we check ourselves', () => {
    it('dead-letters a message whose item id is over 256 characters without calling Personalize', async () => {
      const { tracker: subject } = tracker();
      const event = productViewed(
        { anonymousId: 'anon-1', messageId: 'long-item' },
        { product_id: 'x'.repeat(257) },
      );

      const result = await subject.track([event], 3000);

      expect(result.rejected).toEqual([
        { messageId: 'long-item', reason: 'itemId longer than 256 characters' },
      ]);
      expect(fake.count('events')).toBe(0);
    });

    it('dead-letters a recommendationId over 40 characters and an impression over 25 items', async () => {
      const { tracker: subject } = tracker();
      const longRid = productViewed(
        { anonymousId: 'anon-1', messageId: 'rid' },
        { recommendation_id: 'r'.repeat(41) },
      );
      const manyShown = productViewed(
        { anonymousId: 'anon-1', messageId: 'imp' },
        { impression: Array.from({ length: 26 }, (_, i) => `i${i}`) },
      );

      const result = await subject.track([longRid, manyShown], 3000);

      expect(result.rejected.map((entry) => entry.messageId).sort()).toEqual(['imp', 'rid']);
      expect(fake.count('events')).toBe(0);
    });

    it('keeps event properties within 1024 characters by leaving out what does not fit', async () => {
      const { tracker: subject } = tracker();
      const event = productViewed({ anonymousId: 'anon-1' }, { description: 'd'.repeat(2000), color: 'red' });

      await subject.track([event], 3000);

      const properties = fake.putEvents[0]?.eventList?.[0]?.properties ?? '';
      expect(properties.length).toBeLessThanOrEqual(1024);
      expect(JSON.parse(properties)).toEqual({ name: 'Shoe 1', category: 'Shoes', color: 'red' });
      expect(fake.violations).toEqual([]);
    });

    it('hashes a messageId too long for an eventId, deterministically', async () => {
      const { tracker: subject } = tracker();
      const id = 'm'.repeat(300);

      await subject.track([productViewed({ anonymousId: 'anon-1', messageId: id })], 3000);
      await subject.track([productViewed({ anonymousId: 'anon-1', messageId: id })], 3000);

      const [first, second] = fake.putEvents.map((body) => body.eventList?.[0]?.eventId ?? '');
      expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(second).toBe(first);
    });
  });

  describe('errors (see errors.test.ts for the whole table)', () => {
    it('throws RetryableError when Personalize throttles past the SDK retry', async () => {
      const { tracker: subject } = tracker();
      fake.script.events.push(
        { status: 400, type: 'ThrottlingException' },
        { status: 400, type: 'ThrottlingException' },
      );

      const attempt = subject.track([productViewed({ anonymousId: 'anon-1' })], 3000);

      await expect(attempt).rejects.toBeInstanceOf(RetryableError);
      expect(fake.count('events')).toBe(2);
    });

    it('succeeds when the SDK retry gets through after one throttle', async () => {
      const { tracker: subject } = tracker();
      fake.script.events.push({ status: 400, type: 'ThrottlingException' });

      const result = await subject.track([productViewed({ anonymousId: 'anon-1' })], 3000);

      expect(result.rejected).toEqual([]);
      expect(fake.putEvents).toHaveLength(1);
    });

    it('throws RetryableError on a 5xx', async () => {
      const { tracker: subject } = tracker({ maxAttempts: 1 });
      fake.script.events.push({ status: 503, type: 'ServiceUnavailableException' });

      await expect(subject.track([productViewed({ anonymousId: 'anon-1' })], 3000)).rejects.toBeInstanceOf(
        RetryableError,
      );
    });

    it('throws RetryableError within the per-attempt timeout when Personalize does not answer', async () => {
      const { tracker: subject } = tracker({ requestTimeoutMs: 150, maxAttempts: 1 });
      fake.script.events.push({ hold: true });
      const started = Date.now();

      await expect(subject.track([productViewed({ anonymousId: 'anon-1' })], 3000)).rejects.toBeInstanceOf(
        RetryableError,
      );

      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('throws RetryableError when the invocation budget runs out before the answer', async () => {
      const { tracker: subject } = tracker({ requestTimeoutMs: 5000, maxAttempts: 1 });
      fake.script.events.push({ hold: true });
      const started = Date.now();

      await expect(subject.track([productViewed({ anonymousId: 'anon-1' })], 200)).rejects.toBeInstanceOf(
        RetryableError,
      );

      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('on InvalidInputException dead-letters only the message Personalize refuses, after resending message by message', async () => {
      const { tracker: subject } = tracker();
      fake.rejectPutEvents = (body) =>
        body.eventList?.some((event) => event.itemId === 'unknown-item') ? 'unknown item' : null;
      const good = productViewed({ anonymousId: 'anon-1', messageId: 'good' });
      const bad = productViewed({ anonymousId: 'anon-1', messageId: 'bad' }, { product_id: 'unknown-item' });

      const result = await subject.track([good, bad], 3000);

      expect(result.rejected).toEqual([
        { messageId: 'bad', reason: expect.stringContaining('InvalidInputException') },
      ]);
      expect(fake.putEvents.map((body) => body.eventList?.map((event) => event.eventId))).toEqual([['good']]);
    });

    it.each(['ResourceNotFoundException', 'AccessDeniedException'])(
      'on %s logs a configuration error, dead-letters without throwing, and pauses further calls',
      async (type) => {
        const { tracker: subject, log } = tracker();
        fake.script.events.push({ status: type === 'AccessDeniedException' ? 403 : 404, type });

        const first = await subject.track([productViewed({ anonymousId: 'anon-1', messageId: 'm1' })], 3000);
        const second = await subject.track([productViewed({ anonymousId: 'anon-2', messageId: 'm2' })], 3000);

        expect(first.rejected).toEqual([
          { messageId: 'm1', reason: expect.stringContaining('configuration error') },
        ]);
        expect(second.rejected).toEqual([{ messageId: 'm2', reason: expect.stringContaining(type) }]);
        expect(fake.count('events')).toBe(1);
        expect(log.lines).toContainEqual(
          expect.objectContaining({
            level: 'error',
            event: 'personalize_configuration_error',
            operation: 'PutEvents',
          }),
        );
      },
    );
  });

  it('reaches the endpoint named by AWS_ENDPOINT_URL_PERSONALIZE_EVENTS with no endpoint in code', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_PERSONALIZE_EVENTS;
    process.env.AWS_ENDPOINT_URL_PERSONALIZE_EVENTS = personalize.endpoint;
    try {
      const client = createEventsClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const subject = new PersonalizeTracker({
        client,
        trackingId: 't',
        mapping: MAPPING,
        log: recordingLogger(),
      });

      await subject.track([productViewed({ anonymousId: 'anon-env' })], 3000);

      expect(fake.putEvents.map((body) => body.sessionId)).toEqual(['anon-env']);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_PERSONALIZE_EVENTS;
      else process.env.AWS_ENDPOINT_URL_PERSONALIZE_EVENTS = previous;
    }
  });
});
