import { generateEvents, type RawMessage } from '../../src/generate';
import { trafficProfileNamed } from '../../src/generate/profiles';
import { generateEventStream } from '../../src/generate/stream';
import {
  REGISTRATION_STEPS,
  USAGE_FUNNELS,
  WORKSHOP_DAYS,
  WORKSHOP_RETENTION,
  workshopCatalog,
  workshopTraffic,
} from '../../src/generate/workshop';
import { parseMessage } from '../../src/events';

const start = new Date('2026-03-01T00:00:00Z');
const nameOf = (event: RawMessage) =>
  event.type === 'track' ? (event.event as string) : (event.type as string);
const dayOf = (event: RawMessage) => (event.timestamp as string).slice(0, 10);

describe('workshopTraffic', () => {
  const events = generateEvents({ users: 3000, seed: 7, start }, workshopTraffic);

  it('is deterministic for a seed, differs across seeds, and streams in the same order', async () => {
    expect(generateEvents({ users: 3000, seed: 7, start }, workshopTraffic)).toEqual(events);
    expect(generateEvents({ users: 3000, seed: 8, start }, workshopTraffic)).not.toEqual(events);
    const streamed: RawMessage[] = [];
    const profile = trafficProfileNamed('workshop');
    for await (const event of generateEventStream(
      { users: 3000, seed: 7, start },
      { profile, runSize: 1000 },
    ))
      streamed.push(event);
    expect(streamed).toEqual(events);
  });

  it('produces valid Segment messages, sorted, with unique messageIds, over its days from 09:00 UTC', () => {
    expect(events.every((event) => parseMessage(event).kind === 'message')).toBe(true);
    const timestamps = events.map((event) => event.timestamp as string);
    expect([...timestamps].sort()).toEqual(timestamps);
    expect(new Set(events.map((event) => event.messageId)).size).toBe(events.length);
    expect(new Set(events.map(dayOf)).size).toBe(WORKSHOP_DAYS);
    expect(timestamps[0]! >= '2026-03-01T09:00:00.000Z').toBe(true);
  });

  it('has the registration funnel, the email funnel and Product Clicked / Product Added / Order Completed', () => {
    expect([...new Set(events.map(nameOf))].sort()).toEqual(
      [
        ...REGISTRATION_STEPS,
        'identify',
        'Email Sent',
        'Email Delivered',
        'Email Opened',
        'Email Link Clicked',
        'Unsubscribe',
        ...USAGE_FUNNELS.flat(),
      ].sort(),
    );
    const visitors = new Set(events.map((event) => event.anonymousId)).size;
    expect(visitors).toBe(3000);
    // The funnel's rates: 50% then 60% then 70% go on (binomial, 3000 visitors: within about 4 sigma).
    const count = (name: string) => events.filter((event) => nameOf(event) === name).length;
    expect(count('Page Viewed')).toBe(3000);
    expect(count('Signup Clicked') / 3000).toBeCloseTo(0.5, 1);
    expect(count('Signup Success') / count('Signup Clicked')).toBeCloseTo(0.6, 1);
    expect(count('identify') / count('Signup Success')).toBeCloseTo(0.7, 1);
  });

  it('walks each funnel in order per user: registration, then identify, then usage under the user id', () => {
    const byVisitor = new Map<string, RawMessage[]>();
    for (const event of events) {
      const own = byVisitor.get(event.anonymousId as string) ?? [];
      own.push(event);
      byVisitor.set(event.anonymousId as string, own);
    }
    let registered = 0;
    for (const own of byVisitor.values()) {
      const names = own.map(nameOf);
      const funnel = names.filter((name) => (REGISTRATION_STEPS as readonly string[]).includes(name));
      // A prefix of the registration funnel, each step once.
      expect(funnel).toEqual(REGISTRATION_STEPS.slice(0, funnel.length));
      const identified = names.indexOf('identify');
      if (identified === -1) {
        expect(own.every((event) => event.userId === undefined)).toBe(true);
        expect(names).toEqual(funnel);
        continue;
      }
      registered++;
      expect(funnel).toEqual([...REGISTRATION_STEPS]);
      expect(names.indexOf('Signup Success')).toBeLessThan(identified);
      expect(own.slice(0, identified).every((event) => event.userId === undefined)).toBe(true);
      expect(new Set(own.slice(identified).map((event) => event.userId)).size).toBe(1);
      // Usage starts the day after the registration.
      const usage = own.filter((event) => (USAGE_FUNNELS.flat() as string[]).includes(nameOf(event)));
      expect(usage.every((event) => dayOf(event) > dayOf(own[identified]!))).toBe(true);
      // Every order is of a SKU added earlier the same day.
      for (const order of usage.filter((event) => nameOf(event) === 'Order Completed')) {
        const [product] = (order.properties as { products: Array<{ sku: string }> }).products;
        expect(
          usage.some(
            (event) =>
              nameOf(event) === 'Product Added' &&
              dayOf(event) === dayOf(order) &&
              (event.timestamp as string) < (order.timestamp as string) &&
              (event.properties as { sku: string }).sku === product!.sku,
          ),
        ).toBe(true);
      }
    }
    expect(registered).toBeGreaterThan(400);
  });

  it('keeps about 70% of active users for the next day', () => {
    // A retained user shows up on a day unless both usage funnels stop at their first step (70% each).
    expect(WORKSHOP_RETENTION).toBe(0.7);
    const shows = 0.7 * (1 - 0.3 ** 2);
    const activeDays = new Map<string, Set<string>>();
    for (const event of events) {
      if (!(USAGE_FUNNELS.flat() as string[]).includes(nameOf(event))) continue;
      const days = activeDays.get(event.userId as string) ?? new Set<string>();
      days.add(dayOf(event));
      activeDays.set(event.userId as string, days);
    }
    const lastDay = [...new Set(events.map(dayOf))].sort().at(-1)!;
    const nextDay = (day: string) =>
      new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    let active = 0;
    let back = 0;
    for (const days of activeDays.values())
      for (const day of days) {
        if (day === lastDay) continue;
        active++;
        if (days.has(nextDay(day))) back++;
      }
    expect(active).toBeGreaterThan(1000);
    expect(back / active).toBeGreaterThan(shows - 0.04);
    expect(back / active).toBeLessThan(shows + 0.04);
  });

  it('uses a catalog of 50 SKUs, all of them on a seeded run', () => {
    const catalog = workshopCatalog();
    expect(new Set(catalog.map((product) => product.sku)).size).toBe(50);
    const seen = new Set<string>();
    for (const event of events) {
      const properties = event.properties as { sku?: string; products?: Array<{ sku: string }> } | undefined;
      if (properties?.sku) seen.add(properties.sku);
      for (const product of properties?.products ?? []) seen.add(product.sku);
    }
    expect([...seen].sort()).toEqual(catalog.map((product) => product.sku).sort());
  });
});

describe('trafficProfileNamed', () => {
  it('knows shop and workshop, and nothing else (not even inherited keys)', () => {
    expect(trafficProfileNamed('workshop')).toBe(workshopTraffic);
    expect(trafficProfileNamed('shop')).toBeDefined();
    expect(trafficProfileNamed('constructor')).toBeUndefined();
    expect(trafficProfileNamed('Workshop')).toBeUndefined();
  });
});
