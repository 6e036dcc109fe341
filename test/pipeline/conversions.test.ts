import type { Conversion, ConversionAttributedProperties, CreditMark } from '../../src/conversion';
import { generateEvents } from '../../src/generate';
import { MemoryStore } from '../../src/store';
import type { TrackCall } from '../../src/writeback';
import { identifyEvent, pageEvent, shuffled, trackEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';

const SITE = 'https://shop.example.com';

const properties = (call: TrackCall) => call.properties as ConversionAttributedProperties;

/** The latest credit per conversion, as a consumer keeping the highest credit_version would hold it. */
function latestCredits(
  tracked: readonly TrackCall[],
): Map<string, ConversionAttributedProperties['credits']> {
  const latest = new Map<string, ConversionAttributedProperties>();
  for (const call of tracked) {
    const p = properties(call);
    const held = latest.get(p.conversion_message_id);
    if (!held || p.credit_version > held.credit_version) latest.set(p.conversion_message_id, p);
  }
  return new Map([...latest].map(([id, p]) => [id, p.credits]));
}

const paidSearch = (at: string, messageId: string) =>
  pageEvent({ anonymousId: 'a1', at, url: `${SITE}/?gclid=abc&utm_campaign=spring`, messageId });
const newsletter = (at: string, messageId: string) =>
  pageEvent({ anonymousId: 'a1', at, url: `${SITE}/?utm_source=newsletter&utm_medium=email`, messageId });
const order = (at: string, revenue: number) =>
  trackEvent({
    anonymousId: 'a1',
    userId: 'u1',
    at,
    url: `${SITE}/checkout/done`,
    referrer: `${SITE}/checkout`,
    event: 'Order Completed',
    messageId: 'order-1',
    properties: { order_id: 'o-1', revenue, currency: 'usd' },
  });

describe('conversions in the delivery engine', () => {
  it('sends a Conversion Attributed track with every model credit, and writes the conversion traits', async () => {
    // Prepare
    const pipeline = testPipeline();

    // Act
    await pipeline.deliver([
      newsletter('2026-03-01T10:00:00Z', 'p-1'),
      paidSearch('2026-03-08T10:00:00Z', 'p-2'),
      order('2026-03-08T10:05:00Z', 90),
    ]);

    // Assess
    expect(pipeline.writer.tracked).toHaveLength(1);
    const [call] = pipeline.writer.tracked;
    expect(call).toMatchObject({
      target: 'user:u1',
      event: 'Conversion Attributed',
      timestamp: '2026-03-08T10:05:00.000Z',
    });
    expect(call?.messageId).toMatch(/^touchpoint-credit-[0-9a-f]{40}$/);
    const row = (model: string, channel: string, credit: number) =>
      expect.objectContaining({ model, channel, credit });
    expect(properties(call!)).toEqual({
      conversion_message_id: 'order-1',
      conversion_event: 'Order Completed',
      conversion_timestamp: '2026-03-08T10:05:00.000Z',
      value: 90,
      currency: 'USD',
      credit_version: 1,
      path: 'Email > Paid Search',
      credits: [
        row('first', 'Email', 90),
        row('last', 'Paid Search', 90),
        row('linear', 'Email', 45),
        row('linear', 'Paid Search', 45),
        row('position', 'Email', 45),
        row('position', 'Paid Search', 45),
        // 7 days + 5 minutes against 5 minutes, half-life 7 days: 0.49983 : 0.99966 -> 30.00 : 60.00
        row('time_decay', 'Email', 30),
        row('time_decay', 'Paid Search', 60),
      ],
    });
    expect(pipeline.writer.profiles().get('user:u1')).toMatchObject({
      conversion_count: 1,
      lifetime_revenue: 90,
      first_conversion_channel: 'Paid Search',
    });
  });

  it('re-credits a past conversion once when an earlier touch arrives late; a redelivery sends nothing', async () => {
    // Prepare
    const pipeline = testPipeline();
    await pipeline.deliver([paidSearch('2026-03-08T10:00:00Z', 'p-2'), order('2026-03-08T10:05:00Z', 90)]);
    const [v1] = pipeline.writer.tracked;

    // Act
    const late = await pipeline.deliver(newsletter('2026-03-01T10:00:00Z', 'p-1'));
    const redelivered = await pipeline.deliver(newsletter('2026-03-01T10:00:00Z', 'p-1'));
    const orderAgain = await pipeline.deliver(order('2026-03-08T10:05:00Z', 90));

    // Assess
    expect(properties(v1!)).toMatchObject({ credit_version: 1, path: 'Paid Search' });
    expect(late.creditCalls).toBe(1);
    expect(pipeline.writer.tracked).toHaveLength(2);
    const v2 = pipeline.writer.tracked[1]!;
    expect(properties(v2)).toMatchObject({
      conversion_message_id: 'order-1',
      credit_version: 2,
      path: 'Email > Paid Search',
    });
    expect(v2.messageId).not.toBe(v1!.messageId);
    expect(redelivered).toMatchObject({ identifyCalls: 0, creditCalls: 0 });
    expect(orderAgain).toMatchObject({ identifyCalls: 0, creditCalls: 0 });
    // the first touch changed too, so one identify carries it; the conversion traits did not change
    expect(pipeline.writer.profiles().get('user:u1')).toMatchObject({
      first_touch_channel: 'Email',
      conversion_count: 1,
    });
  });

  it('sends nothing new for a touch after the conversion or outside its lookback window', async () => {
    const pipeline = testPipeline();
    await pipeline.deliver([paidSearch('2026-03-08T10:00:00Z', 'p-2'), order('2026-03-08T10:05:00Z', 90)]);

    await pipeline.deliver(newsletter('2026-03-09T10:00:00Z', 'p-after'));
    await pipeline.deliver(newsletter('2026-01-01T10:00:00Z', 'p-too-old'));

    expect(pipeline.writer.tracked).toHaveLength(1);
  });

  it('retries a failed write-back with the same messageId, so Segment deduplicates it', async () => {
    // Prepare
    const failing = testPipeline();
    const reference = testPipeline();
    const stream = [paidSearch('2026-03-08T10:00:00Z', 'p-2'), order('2026-03-08T10:05:00Z', 90)];
    await reference.deliver(stream);
    failing.writer.failNextFlushes = 1;

    // Act
    await expect(failing.deliver(stream)).rejects.toThrow('simulated Segment outage');
    await failing.deliver(stream);

    // Assess
    expect(failing.writer.tracked.map((call) => call.messageId)).toEqual(
      reference.writer.tracked.map((call) => call.messageId),
    );
    expect(properties(failing.writer.tracked[0]!).credit_version).toBe(1);
  });

  it('gives identical credits for sorted, shuffled and redelivered streams', async () => {
    // Prepare
    const stream = generateEvents({ users: 120, seed: 7, start: new Date('2026-03-01T00:00:00Z') });
    const orders = stream.filter((event) => event.event === 'Order Completed').length;
    const sorted = testPipeline();
    const mixed = testPipeline();
    const twice = testPipeline();

    // Act
    for (const event of stream) await sorted.deliver(event);
    for (const event of shuffled(stream, 3)) await mixed.deliver(event);
    for (const event of shuffled([...stream, ...stream], 5)) await twice.deliver(event);

    // Assess
    const expected = latestCredits(sorted.writer.tracked);
    expect(orders).toBeGreaterThan(5);
    expect(expected.size).toBe(orders);
    expect(latestCredits(mixed.writer.tracked)).toEqual(expected);
    expect(latestCredits(twice.writer.tracked)).toEqual(expected);
    const conversions = async (store: typeof sorted.store) =>
      (await store.listConversions())
        .map((conversion) => ({ ...conversion, credited: null }))
        .sort((a, b) => a.messageId.localeCompare(b.messageId));
    expect(await conversions(mixed.store)).toEqual(await conversions(sorted.store));
  });

  it('ignores its own Conversion Attributed calls and conversion traits when they come back', async () => {
    const pipeline = testPipeline();
    await pipeline.deliver([paidSearch('2026-03-08T10:00:00Z', 'p-2'), order('2026-03-08T10:05:00Z', 90)]);
    const [own] = pipeline.writer.tracked;
    const echo = { type: 'track', ...own, userId: 'u1', event: own!.event, properties: own!.properties };
    const traitsEcho = {
      ...identifyEvent({ userId: 'u1', at: '2026-03-08T10:06:00Z' }),
      traits: { conversion_count: 1, lifetime_revenue: 90, first_touch_channel: 'Paid Search' },
    };

    const report = await pipeline.deliver([echo, traitsEcho]);

    expect(report).toMatchObject({ ignored: 2, processed: 0, creditCalls: 0, identifyCalls: 0 });
  });

  it('sends the next version when a concurrent writer saved the same version first', async () => {
    // Prepare: a store that, on the first save, lets another invocation record its own v1 first
    class RacedStore extends MemoryStore {
      readonly concurrentWriters = true;
      raced = false;
      override async saveConversionCredit(conversion: Conversion, mark: CreditMark): Promise<boolean> {
        if (!this.raced) {
          this.raced = true;
          await super.saveConversionCredit(conversion, { messageId: 'touchpoint-credit-other', version: 1 });
        }
        return super.saveConversionCredit(conversion, mark);
      }
    }
    const store = new RacedStore();
    const pipeline = testPipeline({ store });

    // Act
    await pipeline.deliver([paidSearch('2026-03-08T10:00:00Z', 'p-2'), order('2026-03-08T10:05:00Z', 90)]);

    // Assess: the second round sends version 2 over both version 1s
    expect(pipeline.writer.tracked.map((call) => properties(call).credit_version)).toEqual([1, 2]);
    expect((await store.conversionsOf(['anon:a1']))[0]?.credited).toEqual({
      messageId: pipeline.writer.tracked[1]!.messageId,
      version: 2,
    });
  });
});
