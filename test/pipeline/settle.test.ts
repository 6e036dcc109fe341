import { RetryableError } from '../../src/errors';
import { parseEnvelope } from '../../src/events';
import type { EventTracker, ProfileEnricher } from '../../src/pipeline';
import { pageEvent, trackEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';

const SITE = 'https://shop.example.com';
const page = (anonymousId: string, minute: number) =>
  pageEvent({
    anonymousId,
    at: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
    url: `${SITE}/?utm_source=news&utm_medium=email`,
  });

describe('DeliveryWindow.settle: per-message outcomes', () => {
  it('completes everything, as complete does, when nothing fails', async () => {
    const pipeline = testPipeline();
    const window = pipeline.engine.openWindow();
    const messages = [page('a', 0), page('b', 1)];
    await window.apply(parseEnvelope(messages));

    const settlement = await window.settle(Date.now() + 10_000);

    expect(settlement.completed.sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(settlement.failed.size).toBe(0);
    expect(window.report).toMatchObject({ processed: 2, identifyCalls: 2 });
    expect(pipeline.writer.delivered).toHaveLength(2);
  });

  it('fails only the messages of the profile whose enricher failed; the others are done', async () => {
    const enricher: ProfileEnricher = {
      async traitsFor({ profile }) {
        if (profile.target === 'anon:b') throw new RetryableError('GetRecommendations throttled');
        return {};
      },
    };
    const pipeline = testPipeline({ enrichers: [enricher] });
    const window = pipeline.engine.openWindow();
    const [a, b] = [page('a', 0), page('b', 1)];
    await window.apply(parseEnvelope([a, b]));

    const { completed, failed } = await window.settle(Date.now() + 10_000);

    expect(completed).toEqual([a.messageId]);
    expect([...failed.keys()]).toEqual([b.messageId]);
    expect(failed.get(b.messageId as string)?.message).toContain('throttled');
    expect((await pipeline.store.getMessage(b.messageId as string))?.steps ?? []).not.toContain('done');
    expect(pipeline.writer.delivered.map((call) => call.target)).toEqual(['anon:a']);
  });

  it('fails every message a failed write-back flush carried, and none whose profile needed no call', async () => {
    const pipeline = testPipeline();
    const first = page('a', 0);
    await pipeline.deliver(first);
    const window = pipeline.engine.openWindow();
    // Same session, no new touch for a: no identify call; b is new and needs one.
    const again = pageEvent({ anonymousId: 'a', at: '2026-03-01T10:05:00.000Z', url: `${SITE}/cart` });
    const fresh = page('b', 1);
    await window.apply(parseEnvelope([again, fresh]));
    pipeline.writer.failNextFlushes = 1;

    const { completed, failed } = await window.settle(Date.now() + 10_000);

    expect(completed).toEqual([again.messageId]);
    expect([...failed.keys()]).toEqual([fresh.messageId]);
  });

  it('marks a tracked message whose write-back failed as tracked, and a completed one done only', async () => {
    const tracker: EventTracker = { track: async () => ({ rejected: [] }) };
    const pipeline = testPipeline({ tracker });
    const first = page('a', 0);
    await pipeline.deliver(first);
    const window = pipeline.engine.openWindow();
    const again = pageEvent({ anonymousId: 'a', at: '2026-03-01T10:05:00.000Z', url: `${SITE}/cart` });
    const fresh = page('b', 1);
    await window.apply(parseEnvelope([again, fresh]));
    pipeline.writer.failNextFlushes = 1;

    const { failed } = await window.settle(Date.now() + 10_000);

    expect([...failed.keys()]).toEqual([fresh.messageId]);
    expect((await pipeline.store.getMessage(again.messageId as string))?.steps).toEqual(['done']);
    expect((await pipeline.store.getMessage(fresh.messageId as string))?.steps).toEqual(['personalize']);
  });

  it('fails the messages of a failed tracking call and keeps their profiles for the redelivery', async () => {
    const tracker: EventTracker = {
      async track() {
        throw new RetryableError('PutEvents throttled');
      },
    };
    const pipeline = testPipeline({ tracker });
    const window = pipeline.engine.openWindow();
    const added = trackEvent({
      anonymousId: 'a',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/p/1`,
      event: 'Product Added',
      properties: { product_id: 'p1' },
    });
    await window.apply(parseEnvelope([added]));

    const { completed, failed } = await window.settle(Date.now() + 10_000);

    expect(completed).toEqual([]);
    expect([...failed.keys()]).toEqual([added.messageId]);
    expect(pipeline.writer.delivered).toHaveLength(0); // left to the redelivery, which recomputes it
  });

  it("leaves a profile's other messages to the redelivery too when one of them failed", async () => {
    const tracker: EventTracker = {
      async track() {
        throw new RetryableError('PutEvents throttled');
      },
    };
    const pipeline = testPipeline({ tracker });
    const window = pipeline.engine.openWindow();
    const visit = page('a', 0);
    const other = page('b', 1);
    const added = trackEvent({
      anonymousId: 'a',
      at: '2026-03-01T10:01:00.000Z',
      url: `${SITE}/p/1`,
      event: 'Product Added',
      properties: { product_id: 'p1' },
    });
    // An earlier attempt applied and tracked the two pages: only Product Added goes to the (failing)
    // tracker now.
    for (const message of [visit, other]) {
      const owner = `anon:${String(message.anonymousId)}` as const;
      await pipeline.store.recordActivity(owner, String(message.timestamp), message.messageId as string);
      await pipeline.store.markStep(message.messageId as string, 'personalize');
    }
    await window.apply(parseEnvelope([visit, other, added]));

    const { completed, failed } = await window.settle(Date.now() + 10_000);

    // a's page waits with a's Product Added; b's profile is written and done.
    expect(completed).toEqual([other.messageId]);
    expect([...failed.keys()].sort()).toEqual([visit.messageId, added.messageId].sort());
    expect(pipeline.writer.delivered.map((call) => call.target)).toEqual(['anon:b']);
  });
});
