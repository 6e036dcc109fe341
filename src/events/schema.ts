import { z } from 'zod';
import { toIsoTimestamp } from './timestamps';

/**
 * Segment Spec messages as Segment's Lambda destination delivers them (one raw message per invocation).
 * Only the fields touchpoint reads are typed; unknown fields are dropped at the edge. These schemas are
 * the single source of the message types (`z.infer`).
 */

/** Ids: analytics.js sends strings; some server libraries send numbers. Empty means absent. */
const id = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value).trim();
  if (text.length > 1024) ctx.addIssue({ code: 'custom', message: 'longer than 1024 characters' });
  return text;
});

const optionalId = z
  .union([id, z.null()])
  .optional()
  .transform((value) => (value ? value : undefined));

/** A date as Segment sends it; checked and normalised only for the one field used (see `eventTime`). */
const rawTimestamp = z.union([z.string(), z.number()]);

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields of arbitrary content: checked to be objects, their values left as they are. */
const looseRecord = z.custom<Record<string, unknown>>(isRecord, 'expected an object');

const pageContext = z
  .object({
    url: z.string().nullish(),
    referrer: z.string().nullish(),
    path: z.string().nullish(),
    search: z.string().nullish(),
    title: z.string().nullish(),
  })
  .nullish();

const campaignContext = z
  .object({
    name: z.string().nullish(),
    source: z.string().nullish(),
    medium: z.string().nullish(),
    term: z.string().nullish(),
    content: z.string().nullish(),
  })
  .nullish();

const context = z
  .object({
    page: pageContext,
    campaign: campaignContext,
  })
  .catchall(z.unknown())
  .nullish();

/** Fields every message shares. `timestamp` falls back to originalTimestamp, then receivedAt. */
const common = {
  messageId: id.pipe(z.string().min(1, 'messageId is empty')),
  timestamp: rawTimestamp.optional(),
  originalTimestamp: rawTimestamp.optional(),
  receivedAt: rawTimestamp.optional(),
  anonymousId: optionalId,
  userId: optionalId,
  context,
};

const trackMessage = z.object({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1, 'track needs an event name'),
  properties: looseRecord.nullish(),
});

const pageMessage = z.object({
  ...common,
  type: z.literal('page'),
  name: z.string().nullish(),
  properties: looseRecord.nullish(),
});

const screenMessage = z.object({
  ...common,
  type: z.literal('screen'),
  name: z.string().nullish(),
  properties: looseRecord.nullish(),
});

const identifyMessage = z.object({
  ...common,
  type: z.literal('identify'),
  traits: looseRecord.nullish(),
});

const aliasMessage = z.object({
  ...common,
  type: z.literal('alias'),
  previousId: id.pipe(z.string().min(1, 'alias needs a previousId')),
});

const groupMessage = z.object({
  ...common,
  type: z.literal('group'),
  groupId: optionalId,
  traits: looseRecord.nullish(),
});

const deleteMessage = z.object({
  ...common,
  type: z.literal('delete'),
});

/** The message types touchpoint understands. */
export const SUPPORTED_TYPES = ['track', 'page', 'screen', 'identify', 'alias', 'group', 'delete'] as const;
export type MessageType = (typeof SUPPORTED_TYPES)[number];

export const segmentMessageSchema = z
  .discriminatedUnion('type', [
    trackMessage,
    pageMessage,
    screenMessage,
    identifyMessage,
    aliasMessage,
    groupMessage,
    deleteMessage,
  ])
  .transform((message, ctx) => {
    if (!message.anonymousId && !message.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'needs a userId or an anonymousId' });
    }
    if ((message.type === 'alias' || message.type === 'delete') && !message.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: `${message.type} needs a userId` });
    }
    const [field, value] = eventTime(message);
    const iso = value === undefined ? null : toIsoTimestamp(value);
    if (iso === null) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: value === undefined ? 'no timestamp, originalTimestamp or receivedAt' : 'not a date',
      });
      return z.NEVER;
    }
    // zod built this object for us: setting the normalised time on it saves a copy per message
    return Object.assign(message, { timestamp: iso });
  });

export type TimeField = 'timestamp' | 'originalTimestamp' | 'receivedAt';

/** The event's time: `timestamp`, else `originalTimestamp`, else `receivedAt`, with the field it is from. */
export function eventTime(fields: Partial<Record<TimeField, string | number>>) {
  for (const field of ['timestamp', 'originalTimestamp', 'receivedAt'] as const) {
    if (fields[field] !== undefined) return [field, fields[field]] as const;
  }
  return ['timestamp', undefined] as const;
}

/** A validated Segment message; `timestamp` is always an ISO-8601 UTC string. */
export type SegmentMessage = z.output<typeof segmentMessageSchema>;
export type TrackMessage = Extract<SegmentMessage, { type: 'track' }>;
export type PageMessage = Extract<SegmentMessage, { type: 'page' }>;
export type IdentifyMessage = Extract<SegmentMessage, { type: 'identify' }>;
