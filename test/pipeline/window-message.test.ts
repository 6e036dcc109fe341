import { parseMessage, type SegmentMessage } from '../../src/events';
import { contextKeysRead, keptInWindow, type EventTracker } from '../../src/pipeline';
import { pageEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';

const SITE = 'https://shop.example.com';

function parsed(raw: Record<string, unknown>): SegmentMessage {
  const input = parseMessage(raw);
  if (input.kind !== 'message') throw new Error(`not a message: ${JSON.stringify(input)}`);
  return input.message;
}

describe('contextKeysRead', () => {
  it('names the keys of context that message paths read, each once, and nothing for other paths', () => {
    expect(
      contextKeysRead([
        'properties.product_id',
        'context.device.type',
        'context.device.id',
        'context.locale',
      ]),
    ).toEqual(['device', 'locale']);
    expect(contextKeysRead(['properties.sku', 'contextual.x'])).toEqual([]);
    expect(contextKeysRead([])).toEqual([]);
  });

  it('says the whole context is read when a path names context itself', () => {
    expect(contextKeysRead(['context.device.type', 'context'])).toBeUndefined();
    expect(contextKeysRead(['context.'])).toBeUndefined();
  });
});

describe('keptInWindow', () => {
  const message = parsed({
    ...pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${SITE}/?utm_source=x` }),
    context: {
      page: { url: `${SITE}/?utm_source=x`, referrer: '' },
      device: { type: 'mobile' },
      userAgent: 'Mozilla/5.0',
    },
  });

  it('keeps only the context keys read downstream, and every field outside context', () => {
    const kept = keptInWindow(message, ['device', 'campaign']);
    expect(kept.context).toEqual({ device: { type: 'mobile' } });
    const { context: _context, ...rest } = message;
    const { context: _kept, ...keptRest } = kept;
    expect(keptRest).toEqual(rest);
  });

  it('drops context when nothing downstream reads it, and never changes the message it is given', () => {
    const before = structuredClone(message);
    const kept = keptInWindow(message, []);
    expect(kept).not.toHaveProperty('context');
    expect(kept.messageId).toBe(message.messageId);
    expect(message).toEqual(before);
  });

  it('keeps the message as it is when downstream may read all of context', () => {
    expect(keptInWindow(message, undefined)).toBe(message);
  });
});

describe('a window with downstreamContext', () => {
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
    const pipeline = testPipeline({ tracker, settings: { ...settings, downstreamContext: ['device'] } });
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
