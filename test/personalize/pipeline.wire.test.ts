import { createEventsClient, PersonalizeTracker } from '../../src/personalize';
import { pageEvent, trackEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';
import { fakeClientOptions, personalizeConfig, recordingLogger, useFakePersonalize } from './helpers';

describe('the pipeline with the Personalize tracker', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  const config = personalizeConfig();

  function pipeline() {
    const client = createEventsClient(fakeClientOptions(personalize.endpoint, { maxAttempts: 1 }));
    const mapping = {
      eventTypes: config.eventTypes,
      itemIdPaths: config.itemIdPaths,
      eventProperties: config.eventProperties,
    };
    return testPipeline({
      tracker: new PersonalizeTracker({ client, trackingId: 't', mapping, log: recordingLogger() }),
    });
  }

  const site = 'https://shop.example.com';
  const products = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ product_id: `p${i}`, price: i }));

  it('sends an 11-product order in two calls, dead-letters an over-long item id, and resends a redelivery with the same eventIds', async () => {
    // Prepare
    const subject = pipeline();
    const batch = [
      pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${site}/` }),
      trackEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:01:00Z',
        url: `${site}/p`,
        event: 'Order Completed',
        properties: { products: products(11) },
      }),
      trackEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:02:00Z',
        url: `${site}/p`,
        event: 'Product Viewed',
        properties: { product_id: 'x'.repeat(300) },
        messageId: 'too-long',
      }),
    ];

    // Act
    const first = await subject.deliver(batch);
    const again = await subject.deliver(batch);

    // Assess
    expect(first).toMatchObject({ processed: 3, deadLettered: 1 });
    // A Lambda delivery is not marked done: the redelivery is applied and tracked again, with the same
    // eventIds, which Personalize does not train on twice.
    expect(again).toMatchObject({ processed: 3, deadLettered: 1, identifyCalls: 0 });
    expect(fake.putEvents.map((body) => body.eventList?.length)).toEqual([10, 1, 10, 1]);
    const eventIds = fake.putEvents.map((body) => body.eventList?.map((event) => event.eventId));
    expect(eventIds.slice(2)).toEqual(eventIds.slice(0, 2));
    expect(fake.violations).toEqual([]);
    const [letter] = await subject.store.listDeadLetters(10);
    expect(letter).toMatchObject({
      messageId: 'too-long',
      reason: 'personalize: itemId longer than 256 characters',
    });
  });

  it('fails the invocation on throttling and sends the events on the retry', async () => {
    const subject = pipeline();
    const event = trackEvent({
      anonymousId: 'a2',
      at: '2026-03-01T10:01:00Z',
      url: `${site}/p`,
      event: 'Product Added',
      properties: { product_id: 'p1' },
    });
    fake.script.events.push({ status: 400, type: 'ThrottlingException' });

    await expect(subject.deliver(event)).rejects.toThrow('Personalize PutEvents failed transiently');
    await subject.deliver(event);

    expect(fake.putEvents.map((body) => body.eventList?.[0]?.itemId)).toEqual(['p1']);
  });
});
