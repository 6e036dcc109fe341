/**
 * Seeded, realistic Segment traffic for demos, tests and benchmarks: visitors arriving from the whole
 * channel mix, multi-page sessions with internal navigation, returning visits over weeks, signup ->
 * identify, a second device, alias, and e-commerce events over a product catalog. The same options
 * always give the same events (messageIds included).
 */

export interface GenerateOptions {
  users: number;
  seed: number;
  /** first visits start here and spread over the following weeks */
  start: Date;
  /** the site's own host */
  siteHost?: string;
}

export type RawMessage = Record<string, unknown>;

export interface Product {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** mulberry32: a small, fast, seedable PRNG (public domain). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['Shoes', 'Jackets', 'Backpacks', 'Tents', 'Watches', 'Bottles'] as const;

/** The demo catalog: 60 products over 6 categories. */
export function productCatalog(): Product[] {
  return Array.from({ length: 60 }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length] as string;
    return {
      product_id: `prod-${String(i + 1).padStart(3, '0')}`,
      sku: `SKU-${1000 + i}`,
      name: `${category.slice(0, -1)} ${i + 1}`,
      category,
      price: Math.round((19 + ((i * 37) % 280)) * 100) / 100 + 0.99,
    };
  });
}

const SEARCH_TERMS = [
  'trail running shoes',
  'waterproof jacket',
  'ultralight tent',
  'hiking backpack 40l',
  'gps watch',
];
const CAMPAIGNS = ['spring_sale', 'brand_search', 'retargeting_q2', 'new_arrivals', 'black_friday'];
const LANDING_PATHS = [
  '/',
  '/shoes',
  '/jackets',
  '/sale',
  '/blog/how-to-choose-a-tent',
  '/products/prod-007',
];

/**
 * A client-side message as the generators emit it: a fresh messageId, the ids, the event time as
 * timestamp, originalTimestamp and sentAt, received 120 ms later, then `body` (type-specific fields).
 */
export function clientMessage(
  rng: () => number,
  type: string,
  at: number,
  ids: { anonymousId: string; userId?: string },
  body: RawMessage,
): RawMessage {
  const timestamp = new Date(at).toISOString();
  return {
    type,
    messageId: uuid(rng),
    anonymousId: ids.anonymousId,
    ...(ids.userId ? { userId: ids.userId } : {}),
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    receivedAt: new Date(at + 120).toISOString(),
    channel: 'client',
    version: 2,
    integrations: {},
    ...body,
  };
}

/** One arrival: how a visit's first page is reached. Weights are a plausible e-commerce mix. */
interface Arrival {
  weight: number;
  make(rng: () => number): { query: string; referrer: string | null };
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const token = (rng: () => number, length = 16) =>
  Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rng() * 36)]).join('');

const ARRIVALS: Arrival[] = [
  { weight: 16, make: () => ({ query: '', referrer: 'https://www.google.com/' }) },
  {
    weight: 6,
    make: (rng) => ({
      query: '',
      referrer: `https://www.google.com/search?q=${encodeURIComponent(pick(rng, SEARCH_TERMS))}`,
    }),
  },
  {
    weight: 4,
    make: (rng) => ({
      query: '',
      referrer: `https://www.bing.com/search?q=${encodeURIComponent(pick(rng, SEARCH_TERMS))}`,
    }),
  },
  { weight: 2, make: () => ({ query: '', referrer: 'https://duckduckgo.com/' }) },
  {
    weight: 10,
    make: (rng) => ({
      query: `?utm_source=google&utm_medium=cpc&utm_campaign=${pick(rng, CAMPAIGNS)}&gclid=${token(rng, 24)}`,
      referrer: 'https://www.google.com/',
    }),
  },
  { weight: 3, make: (rng) => ({ query: `?msclkid=${token(rng, 32)}`, referrer: 'https://www.bing.com/' }) },
  { weight: 6, make: (rng) => ({ query: `?fbclid=${token(rng, 40)}`, referrer: 'https://l.facebook.com/' }) },
  {
    weight: 5,
    make: (rng) => ({
      query: `?utm_source=facebook&utm_medium=paid_social&utm_campaign=${pick(rng, CAMPAIGNS)}&utm_content=carousel_${1 + Math.floor(rng() * 3)}`,
      referrer: 'https://m.facebook.com/',
    }),
  },
  { weight: 3, make: () => ({ query: '', referrer: 'https://www.instagram.com/' }) },
  { weight: 2, make: () => ({ query: '', referrer: 'https://t.co/' }) },
  { weight: 2, make: () => ({ query: '', referrer: 'https://www.linkedin.com/' }) },
  {
    weight: 8,
    make: (rng) => ({
      query: `?utm_source=newsletter&utm_medium=email&utm_campaign=${pick(rng, ['weekly_digest', 'spring_sale', 'winback'])}`,
      referrer: null,
    }),
  },
  { weight: 2, make: () => ({ query: '', referrer: 'https://mail.google.com/' }) },
  { weight: 3, make: () => ({ query: '?utm_source=chatgpt.com', referrer: 'https://chatgpt.com/' }) },
  { weight: 1, make: () => ({ query: '', referrer: 'https://www.perplexity.ai/' }) },
  { weight: 3, make: () => ({ query: '', referrer: 'https://news.ycombinator.com/' }) },
  {
    weight: 3,
    make: (rng) => ({
      query: '',
      referrer: `https://${pick(rng, ['outdoorgearlab.com', 'rei.com', 'switchbacktravel.com'])}/reviews`,
    }),
  },
  {
    weight: 2,
    make: (rng) => ({
      query: `?utm_source=partner&utm_medium=affiliate&irclickid=${token(rng, 20)}`,
      referrer: null,
    }),
  },
  {
    weight: 1,
    make: () => ({
      query: '?utm_source=youtube&utm_medium=video&utm_campaign=gear_review',
      referrer: 'https://www.youtube.com/',
    }),
  },
  { weight: 18, make: () => ({ query: '', referrer: null }) },
];
const TOTAL_WEIGHT = ARRIVALS.reduce((sum, arrival) => sum + arrival.weight, 0);

function arrival(rng: () => number): { query: string; referrer: string | null } {
  let roll = rng() * TOTAL_WEIGHT;
  for (const candidate of ARRIVALS) {
    roll -= candidate.weight;
    if (roll < 0) return candidate.make(rng);
  }
  return (ARRIVALS[ARRIVALS.length - 1] as Arrival).make(rng);
}

/** A random-looking UUID v4 from the seeded generator. */
export function uuid(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The shop's traffic: the events of `users` visitors, one visitor after another (each visitor's in the
 * order they were made, not by time). The default {@link TrafficProfile}.
 */
export function* shopTraffic(options: GenerateOptions): Generator<RawMessage> {
  const rng = seededRandom(options.seed);
  const site = options.siteHost ?? 'shop.example.com';
  const catalog = productCatalog();
  const startMs = options.start.getTime();

  for (let n = 0; n < options.users; n++) {
    const events: RawMessage[] = [];
    const userId = `user-${String(n + 1).padStart(6, '0')}`;
    const email = `${userId}@example.com`;
    const devices = [uuid(rng)];
    const willSignUp = rng() < 0.55;
    const hasSecondDevice = willSignUp && rng() < 0.25;
    const usesAlias = willSignUp && rng() < 0.08;
    const visits = 1 + Math.floor(rng() * rng() * 6);
    const signupVisit = willSignUp ? Math.floor(rng() * visits) : -1;
    let clock = startMs + Math.floor(rng() * 30 * DAY_MS);
    let signedUp = false;

    const emit = (device: string, type: string, at: number, body: RawMessage) => {
      events.push(
        clientMessage(rng, type, at, { anonymousId: device, ...(signedUp ? { userId } : {}) }, body),
      );
    };

    const visit = (device: string, visitIndex: number) => {
      const landing = arrival(rng);
      const pages = 1 + Math.floor(rng() * 5);
      let previousUrl: string | null = landing.referrer;
      let at = clock;
      for (let p = 0; p < pages; p++) {
        const path =
          p === 0
            ? pick(rng, LANDING_PATHS)
            : pick(rng, [
                '/shoes',
                '/jackets',
                '/products/prod-0' + (10 + Math.floor(rng() * 50)),
                '/cart',
                '/sale',
              ]);
        const search = p === 0 ? landing.query : '';
        const url = `https://${site}${path}${search}`;
        const page = { url, path, search, referrer: previousUrl ?? '', title: `Shop: ${path}` };
        const context = {
          page,
          userAgent: 'Mozilla/5.0 (generated)',
          library: { name: 'analytics.js', version: 'next-1.70.0' },
        };
        emit(device, 'page', at, { properties: { ...page }, context });
        if (path.startsWith('/products/') || rng() < 0.3) {
          const product = pick(rng, catalog);
          at += 5_000 + Math.floor(rng() * 20_000);
          emit(device, 'track', at, { event: 'Product Viewed', properties: { ...product }, context });
          if (rng() < 0.25) {
            at += 3_000 + Math.floor(rng() * 10_000);
            emit(device, 'track', at, {
              event: 'Product Added',
              properties: { ...product, quantity: 1 },
              context,
            });
            if (rng() < 0.35) {
              const extra = rng() < 0.3 ? [pick(rng, catalog)] : [];
              const products = [product, ...extra].map((item) => ({ ...item, quantity: 1 }));
              const revenue = Math.round(products.reduce((sum, item) => sum + item.price, 0) * 100) / 100;
              at += 30_000 + Math.floor(rng() * 60_000);
              emit(device, 'track', at, {
                event: 'Order Completed',
                properties: {
                  order_id: `order-${uuid(rng).slice(0, 8)}`,
                  revenue,
                  currency: 'USD',
                  products,
                },
                context,
              });
            }
          }
        }
        if (visitIndex === signupVisit && p === 0 && !signedUp) {
          at += 20_000;
          signedUp = true;
          emit(device, 'identify', at, {
            traits: { email, plan: 'free' },
            context: { page, library: context.library },
          });
          if (usesAlias)
            emit(device, 'alias', at + 1, {
              previousId: device,
              userId,
              context: { library: context.library },
            });
        }
        previousUrl = url;
        at += 20_000 + Math.floor(rng() * 90_000);
      }
      clock = at + (1 + Math.floor(rng() * 14)) * DAY_MS + Math.floor(rng() * 600) * MINUTE_MS;
    };

    for (let v = 0; v < visits; v++) visit(devices[0] as string, v);
    if (hasSecondDevice) {
      // A phone used before or after the laptop: its first visit can predate device A's.
      const phone = uuid(rng);
      devices.push(phone);
      const before = rng() < 0.5;
      const saved = clock;
      clock = before ? startMs + Math.floor(rng() * 10 * DAY_MS) - 2 * DAY_MS : clock;
      const wasSignedUp = signedUp;
      signedUp = false;
      visit(phone, -1);
      signedUp = true;
      emit(phone, 'identify', clock, {
        traits: { email },
        context: { library: { name: 'analytics-ios', version: '1.5' } },
      });
      signedUp = wasSignedUp || signedUp;
      clock = Math.max(saved, clock);
    }
    yield* events;
  }
}

/**
 * A kind of traffic: yields the events of `options.users` visitors in any order (the sort by timestamp
 * is {@link generateEvents}' or the streaming sort's), the same events for the same options.
 */
export type TrafficProfile = (options: GenerateOptions) => Iterable<RawMessage>;

/** Orders two events by `timestamp` (ISO-8601 strings of one length, so code-unit order is time order). */
export function byTimestamp(a: RawMessage, b: RawMessage): number {
  const left = a.timestamp as string;
  const right = b.timestamp as string;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Generates the events of `users` visitors of `profile` (the shop by default) in memory, sorted by
 * timestamp (stable: events of one instant keep the profile's order). For large runs, stream them with
 * `generateEventStream` instead.
 */
export function generateEvents(
  options: GenerateOptions,
  profile: TrafficProfile = shopTraffic,
): RawMessage[] {
  return [...profile(options)].sort(byTimestamp);
}
