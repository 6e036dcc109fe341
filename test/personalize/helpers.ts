import { FakePersonalize } from '../support/personalize-server';
import { loadConfig, type PersonalizeConfig } from '../../src/config';
import { parseMessage, type SegmentMessage } from '../../src/events';
import { createLogger, type Logger } from '../../src/log';
import type { ClientOptions } from '../../src/personalize';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' };

/** Client options pointing the real SDK at the fake, with a short per-attempt timeout. */
export function fakeClientOptions(endpoint: string, overrides: Partial<ClientOptions> = {}): ClientOptions {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: TEST_CREDENTIALS,
    requestTimeoutMs: 400,
    maxAttempts: 2,
    ...overrides,
  };
}

/** The Personalize section of a config loaded from these variables (defaults otherwise). */
export function personalizeConfig(env: Record<string, string> = {}): PersonalizeConfig {
  return loadConfig({ TOUCHPOINT_STORE: 'memory', ...env }).personalize;
}

/** A validated message (throws if the test built an invalid one). */
export function message(raw: Record<string, unknown>): SegmentMessage {
  const parsed = parseMessage(raw);
  if (parsed.kind !== 'message') throw new Error(`test message is not valid: ${JSON.stringify(parsed)}`);
  return parsed.message;
}

/** A logger that keeps its lines, parsed. */
export function recordingLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return Object.assign(logger, { lines });
}

let counter = 0;
export function productViewed(
  ids: { anonymousId?: string; userId?: string; at?: string; messageId?: string },
  properties: Record<string, unknown> = {},
) {
  return message({
    type: 'track',
    event: 'Product Viewed',
    messageId: ids.messageId ?? `pv-${++counter}`,
    ...(ids.anonymousId ? { anonymousId: ids.anonymousId } : {}),
    ...(ids.userId ? { userId: ids.userId } : {}),
    timestamp: ids.at ?? '2026-03-01T10:00:00.123Z',
    properties: {
      product_id: 'prod-001',
      sku: 'SKU-1000',
      price: 49.99,
      name: 'Shoe 1',
      category: 'Shoes',
      ...properties,
    },
  });
}

export function orderCompleted(
  ids: { anonymousId: string; userId?: string; messageId?: string },
  productCount: number,
) {
  return message({
    type: 'track',
    event: 'Order Completed',
    messageId: ids.messageId ?? `oc-${++counter}`,
    anonymousId: ids.anonymousId,
    ...(ids.userId ? { userId: ids.userId } : {}),
    timestamp: '2026-03-01T10:05:00.000Z',
    properties: {
      order_id: 'order-1',
      revenue: 123.45,
      currency: 'USD',
      products: Array.from({ length: productCount }, (_, i) => ({
        product_id: `prod-${String(i + 1).padStart(3, '0')}`,
        sku: `SKU-${1000 + i}`,
        price: 10 + i,
        quantity: 1,
      })),
    },
  });
}

/**
 * Starts the local Personalize fake for the enclosing describe block (127.0.0.1, free port), resets it
 * before each test and stops it after the block. `endpoint` is readable once the block has started.
 */
export function useFakePersonalize(): { fake: FakePersonalize; readonly endpoint: string } {
  const fake = new FakePersonalize();
  let endpoint = '';
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => fake.reset());
  return {
    fake,
    get endpoint() {
      return endpoint;
    },
  };
}
