import { conversionOf, minorDigits } from '../../src/conversion';
import type { SegmentMessage } from '../../src/events';

const settings = { events: ['Order Completed', 'Subscription Started'], defaultCurrency: 'USD' };

function track(event: string, properties: Record<string, unknown>): SegmentMessage {
  return {
    type: 'track',
    event,
    messageId: 'order-1',
    userId: 'u1',
    timestamp: '2026-03-01T10:00:00.000Z',
    properties,
  } as SegmentMessage;
}

const valueOf = (properties: Record<string, unknown>) =>
  conversionOf(track('Order Completed', properties), 'user:u1', settings)?.value;

describe('conversionOf', () => {
  it('is a conversion only for the configured track events', () => {
    expect(conversionOf(track('Product Added', { revenue: 5 }), 'user:u1', settings)).toBeNull();
    expect(conversionOf(track('Subscription Started', { value: 5 }), 'user:u1', settings)).toEqual({
      ownerKey: 'user:u1',
      messageId: 'order-1',
      timestamp: '2026-03-01T10:00:00.000Z',
      event: 'Subscription Started',
      value: 5,
      currency: 'USD',
      credited: null,
    });
  });

  it('takes revenue, else total, else value, else the sum of products price x quantity', () => {
    expect(valueOf({ revenue: 10, total: 12, value: 14 })).toBe(10);
    expect(valueOf({ total: '12.5', value: 14 })).toBe(12.5);
    expect(valueOf({ revenue: 'n/a', value: 14 })).toBe(14);
    expect(valueOf({ products: [{ price: 9.99, quantity: 3 }, { price: '5' }, { quantity: 2 }, null] })).toBe(
      34.97,
    );
    expect(valueOf({})).toBe(0);
  });

  it('keeps the currency (upper case) and rounds the value to its minor unit', () => {
    const yen = conversionOf(
      track('Order Completed', { revenue: 1234.6, currency: 'jpy' }),
      'user:u1',
      settings,
    );
    expect(yen).toMatchObject({ value: 1235, currency: 'JPY' });
    expect(valueOf({ revenue: 0.1 + 0.2 })).toBe(0.3);
    const odd = conversionOf(
      track('Order Completed', { revenue: 1, currency: 'dollars' }),
      'user:u1',
      settings,
    );
    expect(odd?.currency).toBe('USD');
  });
});

describe('minorDigits', () => {
  it('knows ISO 4217 minor units, and says 2 for a code it does not know', () => {
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('BHD'), minorDigits('QQQ')]).toEqual([
      2, 0, 3, 2,
    ]);
  });
});
