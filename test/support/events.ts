import { seededRandom } from '../../src/generate';

/** Builders for Segment messages as the Lambda destination delivers them. */

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${String(++counter).padStart(5, '0')}`;

export type Message = Record<string, unknown>;

interface Visit {
  anonymousId: string;
  userId?: string;
  at: string;
  url: string;
  referrer?: string;
  messageId?: string;
}

export function pageEvent(visit: Visit): Message {
  return {
    type: 'page',
    messageId: visit.messageId ?? nextId('page'),
    anonymousId: visit.anonymousId,
    ...(visit.userId ? { userId: visit.userId } : {}),
    timestamp: visit.at,
    context: { page: { url: visit.url, referrer: visit.referrer ?? '' } },
    properties: { url: visit.url, referrer: visit.referrer ?? '' },
    writeKey: 'secret-write-key',
  };
}

export function trackEvent(visit: Visit & { event: string; properties?: Record<string, unknown> }): Message {
  return {
    type: 'track',
    event: visit.event,
    messageId: visit.messageId ?? nextId('track'),
    anonymousId: visit.anonymousId,
    ...(visit.userId ? { userId: visit.userId } : {}),
    timestamp: visit.at,
    context: { page: { url: visit.url, referrer: visit.referrer ?? '' } },
    properties: visit.properties ?? {},
  };
}

export function identifyEvent(ids: {
  anonymousId?: string;
  userId: string;
  at: string;
  messageId?: string;
}): Message {
  return {
    type: 'identify',
    messageId: ids.messageId ?? nextId('identify'),
    ...(ids.anonymousId ? { anonymousId: ids.anonymousId } : {}),
    userId: ids.userId,
    timestamp: ids.at,
    traits: { email: `${ids.userId}@example.com` },
  };
}

export function aliasEvent(ids: {
  previousId: string;
  userId: string;
  at: string;
  messageId?: string;
}): Message {
  return {
    type: 'alias',
    messageId: ids.messageId ?? nextId('alias'),
    previousId: ids.previousId,
    userId: ids.userId,
    timestamp: ids.at,
  };
}

/** Fisher-Yates with a seeded generator, so a shuffled test is the same every run. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
