import { clientMessage, seededRandom, uuid, type GenerateOptions, type RawMessage } from './index';

/**
 * The traffic of the AWS "Segment + Amazon Personalize" workshop's event generator, the anchor the
 * Personalize benchmark compares against, in touchpoint's seeded form. What carries over from it: each
 * day at 09:00 UTC new visitors on Android, Web and iOS walk a registration funnel (`Page Viewed`,
 * 50% `Signup Clicked`, 60% `Signup Success`, 70% identify, then an email funnel of 70% steps); every
 * registered user then has daily usage funnels (each step 70% + 10% per step, a funnel restarting
 * with 10% once done) and stays for the next day with 70% retention; a catalog of 50 SKUs; each step
 * 1-600 s after the one before. What differs: visitors are anonymous until their identify (the
 * workshop puts the user id on every event, before registration too), the usage funnels are
 * `Product Clicked` and `Product Added` -> `Order Completed` of the added SKU (the workshop has no
 * purchase), and identifying traits are example ones (an `@example.com` email, no name or IP).
 */

/** Days the workshop traffic covers: registrations on each, usage from the day after. */
export const WORKSHOP_DAYS = 14;
/** Share of registered users who come back the next day. */
export const WORKSHOP_RETENTION = 0.7;
/** The funnels' step rates: a funnel's step n goes on with `base + n * step` (the workshop's rule). */
export const REGISTRATION_RATES = { base: 0.5, step: 0.1 } as const;
export const USAGE_RATES = { base: 0.7, step: 0.1 } as const;
/** A finished usage funnel starts again with this chance. */
const USAGE_REPEAT = 0.1;
const STEP_MAX_SECONDS = 600;
const DAY_MS = 86_400_000;
/** The workshop generator's day starts at 09:00 UTC. */
const DAY_START_MS = 9 * 3_600_000;

/** The registration funnel's events, in order; the identify follows the last. */
export const REGISTRATION_STEPS = ['Page Viewed', 'Signup Clicked', 'Signup Success'] as const;
/** The usage funnels, each in order. */
export const USAGE_FUNNELS = [['Product Clicked'], ['Product Added', 'Order Completed']] as const;
const EMAIL_STEPS = ['Email Sent', 'Email Delivered', 'Email Opened', 'Email Link Clicked', 'Unsubscribe'];

export interface WorkshopProduct {
  sku: string;
  category: string;
  price: number;
}

const STYLES = ['classic', 'canvas', 'leather', 'suede', 'denim'] as const;
const KINDS = [
  ['backpack', 'Accessories'],
  ['cap', 'Accessories'],
  ['high-tops', 'Shoes'],
  ['slip-on', 'Shoes'],
  ['boot', 'Shoes'],
  ['jacket', 'Clothing'],
  ['shirt', 'Clothing'],
  ['tee', 'Clothing'],
  ['skirt', 'Clothing'],
  ['socks-3-pack', 'Accessories'],
] as const;

/** The workshop catalog: 50 SKUs (5 styles x 10 kinds), picked with equal weight as the workshop's are. */
export function workshopCatalog(): WorkshopProduct[] {
  return STYLES.flatMap((style, s) =>
    KINDS.map(([kind, category], k) => ({
      sku: `${style}-${kind}`,
      category,
      price: Math.round((12 + (((s * 10 + k) * 53) % 190)) * 100) / 100 + 0.99,
    })),
  );
}

interface Platform {
  os: string;
  library: { name: string; version: string };
  properties(rng: () => number): Record<string, string>;
}

const pickFrom = <T>(rng: () => number, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;

const PLATFORMS: readonly Platform[] = [
  {
    os: 'Android',
    library: { name: 'analytics-android', version: '4.11.3' },
    properties: (rng) => ({
      operating_system: 'Android',
      app_version: pickFrom(rng, ['2.0.1', '3.0.1', '3.0.1']),
      model: pickFrom(rng, ['GT-I9300', 'SM-G900F', 'Nexus 5']),
    }),
  },
  {
    os: 'Web',
    library: { name: 'analytics.js', version: 'next-1.70.0' },
    properties: (rng) => ({
      operating_system: 'Web',
      browser: pickFrom(rng, ['Chrome', 'Firefox', 'Safari']),
    }),
  },
  {
    os: 'iOS',
    library: { name: 'analytics-ios', version: '4.1.8' },
    properties: (rng) => ({
      operating_system: 'iOS',
      app_version: pickFrom(rng, ['2.0.1', '3.0.1', '3.0.1']),
      model: pickFrom(rng, ['iPhone6,1', 'iPhone5,2', 'iPad4,1']),
    }),
  },
];

/** A registered user, kept while retained: all the state the generator holds besides one day's events. */
interface Member {
  userId: string;
  anonymousId: string;
  platform: Platform;
}

/**
 * The workshop's traffic: `options.users` visitors spread evenly over {@link WORKSHOP_DAYS} days from
 * the day of `options.start`, yielded day by day (not sorted: the streaming sort orders them). Memory
 * holds the retained users and nothing of the earlier days' events.
 */
export function* workshopTraffic(options: GenerateOptions): Generator<RawMessage> {
  const rng = seededRandom(options.seed);
  const catalog = workshopCatalog();
  const firstDay = Math.floor(options.start.getTime() / DAY_MS) * DAY_MS;
  const chance = (share: number) => rng() < share;
  const step = () => (1 + Math.floor(rng() * STEP_MAX_SECONDS)) * 1000;
  let members: Member[] = [];
  let visitor = 0;

  const message = (
    who: { anonymousId: string; userId?: string; platform: Platform },
    type: 'track' | 'identify',
    at: number,
    body: RawMessage,
  ): RawMessage =>
    clientMessage(rng, type, at, who, {
      context: { library: who.platform.library, os: { name: who.platform.os } },
      ...body,
    });

  for (let day = 0; day < WORKSHOP_DAYS; day++) {
    const dayStart = firstDay + day * DAY_MS + DAY_START_MS;
    const events: RawMessage[] = [];
    // Usage first, of the users registered before today (today's join tomorrow), as the workshop does.
    const retained: Member[] = [];
    for (const member of members) {
      for (const funnel of USAGE_FUNNELS) {
        let at = dayStart;
        let product = pickFrom(rng, catalog);
        for (let state = 0; state < funnel.length;) {
          if (!chance(USAGE_RATES.base + state * USAGE_RATES.step)) break;
          at += step();
          events.push(usageEvent(message, member, funnel[state] as string, at, product, rng));
          state++;
          if (state === funnel.length && chance(USAGE_REPEAT)) {
            state = 0;
            product = pickFrom(rng, catalog);
          }
        }
      }
      if (chance(WORKSHOP_RETENTION)) retained.push(member);
    }
    members = retained;

    const arrivals = Math.floor((options.users * (day + 1)) / WORKSHOP_DAYS) - visitor;
    for (let n = 0; n < arrivals; n++, visitor++) {
      const platform = PLATFORMS[visitor % PLATFORMS.length] as Platform;
      const anonymous = { anonymousId: uuid(rng), platform };
      let at = dayStart;
      let registered = true;
      for (const [state, event] of REGISTRATION_STEPS.entries()) {
        at += step();
        const page_name = chance(20 / 75) ? 'Home' : 'Search';
        events.push(
          message(anonymous, 'track', at, { event, properties: { page_name, ...platform.properties(rng) } }),
        );
        if (!chance(REGISTRATION_RATES.base + state * REGISTRATION_RATES.step)) {
          registered = false;
          break;
        }
      }
      if (!registered) continue;
      const member: Member = { ...anonymous, userId: String(1_000_000_000 + visitor) };
      at += 1000;
      events.push(
        message(member, 'identify', at, {
          traits: {
            email: `user-${member.userId}@example.com`,
            operating_system: platform.os,
            experiment_group: pickFrom(rng, ['Group A', 'Group B', 'Group C', 'Group C']),
            favorite_departments: pickFrom(rng, ['Accessories', 'Clothing', 'Shoes']),
          },
        }),
      );
      for (const event of EMAIL_STEPS) {
        if (!chance(USAGE_RATES.base)) break;
        at += 400_000;
        events.push(
          message(member, 'track', at, {
            event,
            properties: { campaign_id: pickFrom(rng, [15203, 22123, 41232, 61232]) },
            context: { library: { name: 'email', version: '1.0' } },
          }),
        );
      }
      members.push(member);
    }
    yield* events;
  }
}

/** A usage step: the SKU clicked or added as the item; an order of the SKU just added. */
function usageEvent(
  message: (who: Member, type: 'track', at: number, body: RawMessage) => RawMessage,
  member: Member,
  event: string,
  at: number,
  product: WorkshopProduct,
  rng: () => number,
): RawMessage {
  const platform = member.platform.properties(rng);
  if (event !== 'Order Completed')
    return message(member, 'track', at, { event, properties: { ...product, quantity: 1, ...platform } });
  return message(member, 'track', at, {
    event,
    properties: {
      order_id: `order-${uuid(rng).slice(0, 8)}`,
      revenue: product.price,
      currency: 'USD',
      products: [{ ...product, quantity: 1 }],
      ...platform,
    },
  });
}
