import { z } from 'zod';

/**
 * Segment Spec messages as Segment's Lambda destination delivers them (one raw message per invocation).
 * Only the fields touchpoint reads are typed; unknown fields are dropped at the edge. These schemas are
 * the single source of the message types (`z.infer`).
 */

/** Ids: analytics.js sends strings; some server libraries send numbers. Empty means absent. */
const id = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().max(1024));

const optionalId = z
  .union([id, z.null()])
  .optional()
  .transform((value) => (value ? value : undefined));

const isoTimestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(value).slice(0, 40)}` });
    return z.NEVER;
  }
  return date.toISOString();
});

const looseRecord = z.record(z.string(), z.unknown());

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
  timestamp: isoTimestamp.optional(),
  originalTimestamp: isoTimestamp.optional(),
  receivedAt: isoTimestamp.optional(),
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
  .superRefine((message, ctx) => {
    if (!message.timestamp && !message.originalTimestamp && !message.receivedAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestamp'],
        message: 'no timestamp, originalTimestamp or receivedAt',
      });
    }
    if (!message.anonymousId && !message.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'needs a userId or an anonymousId' });
    }
    if (message.type === 'alias' && !message.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'alias needs a userId' });
    }
    if (message.type === 'delete' && !message.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'delete needs a userId' });
    }
  })
  .transform((message) => ({
    ...message,
    timestamp: (message.timestamp ?? message.originalTimestamp ?? message.receivedAt) as string,
  }));

/** A validated Segment message; `timestamp` is always an ISO-8601 UTC string. */
export type SegmentMessage = z.output<typeof segmentMessageSchema>;
export type TrackMessage = Extract<SegmentMessage, { type: 'track' }>;
export type PageMessage = Extract<SegmentMessage, { type: 'page' }>;
export type IdentifyMessage = Extract<SegmentMessage, { type: 'identify' }>;
