import { z } from 'zod';
import { isRecord } from './schema';

/**
 * One record of a Kinesis or SQS batch: what it is called in `batchItemFailures`, the order it belongs
 * to, and its decoded payload (a JSON value, or the text when it is not JSON).
 */
export interface StreamRecord {
  /** Kinesis: `kinesis.sequenceNumber`; SQS: `messageId` (what ReportBatchItemFailures expects) */
  itemIdentifier: string;
  /**
   * Records of one order key must be processed in order: a Kinesis shard, an SQS FIFO message group;
   * null for a standard SQS queue, where every record stands alone.
   */
  orderKey: string | null;
  payload: unknown;
  /** what the record is, for a dead letter's reason: `Kinesis record <seq>` */
  label: string;
  /** set when the record itself is not what AWS documents: it is dead-lettered with this reason */
  problem?: string;
}

/** What a Lambda invocation's event is. */
export type LambdaEvent =
  | { kind: 'kinesis'; records: StreamRecord[] }
  | { kind: 'sqs'; records: StreamRecord[] }
  /** an EventBridge event (Segment's EventBridge destination): `detail` holds the Segment message */
  | { kind: 'eventbridge'; message: unknown }
  /** an AWS envelope touchpoint does not consume; `reason` names it */
  | { kind: 'unknown'; reason: string }
  /** anything else: a Segment message, an array, `{batch}` (Segment's Lambda destination, the CLI) */
  | { kind: 'segment'; input: unknown };

// The shapes AWS documents for Lambda events: only the fields touchpoint reads are checked.
const kinesisRecord = z.object({
  eventSource: z.literal('aws:kinesis'),
  eventID: z.string().optional(),
  kinesis: z.object({ data: z.string(), sequenceNumber: z.string(), partitionKey: z.string().optional() }),
});
const sqsRecord = z.object({
  eventSource: z.literal('aws:sqs'),
  messageId: z.string(),
  body: z.string(),
  attributes: z.object({ MessageGroupId: z.string().optional() }).partial().optional(),
  eventSourceARN: z.string().optional(),
});
const eventBridgeEvent = z.object({
  'detail-type': z.string(),
  source: z.string(),
  detail: z.unknown(),
});

/**
 * Recognises the event a Lambda function was invoked with: a Kinesis batch (`Records[].kinesis.data`,
 * base64 of a Segment message, as Segment's Kinesis destination writes it), an SQS batch
 * (`Records[].body`, itself a Segment message or an EventBridge event delivered to a queue), an
 * EventBridge event (`detail` is the Segment message), or a Segment input as before. An AWS envelope of
 * another kind (S3, SNS, DynamoDB streams, ...) is `unknown` with a reason naming it.
 */
export function recogniseLambdaEvent(event: unknown): LambdaEvent {
  if (!isRecord(event) || event.type !== undefined) return { kind: 'segment', input: event };
  if (Array.isArray(event.Records)) return recogniseRecords(event.Records);
  const bridged = eventBridgeEvent.safeParse(event);
  if (bridged.success) {
    const { detail, source } = bridged.data;
    if (isRecord(detail) && typeof detail.type === 'string') return { kind: 'eventbridge', message: detail };
    return {
      kind: 'unknown',
      reason: `EventBridge event from "${source.slice(0, 80)}" (detail-type "${bridged.data['detail-type'].slice(0, 80)}") without a Segment message in detail`,
    };
  }
  return { kind: 'segment', input: event };
}

function recogniseRecords(records: unknown[]): LambdaEvent {
  const first: unknown = records[0];
  const source = isRecord(first)
    ? (first.eventSource ?? first.EventSource ?? 'no eventSource')
    : 'no eventSource';
  if (source === 'aws:kinesis') return { kind: 'kinesis', records: records.map(kinesisRecordOf) };
  if (source === 'aws:sqs') return { kind: 'sqs', records: records.map(sqsRecordOf) };
  return {
    kind: 'unknown',
    reason: `unknown envelope: Records from "${String(source).slice(0, 40)}" (touchpoint reads aws:kinesis, aws:sqs, EventBridge events and Segment messages)`,
  };
}

function kinesisRecordOf(raw: unknown, index: number): StreamRecord {
  const parsed = kinesisRecord.safeParse(raw);
  if (!parsed.success) return malformed('Kinesis', raw, index);
  const { kinesis, eventID } = parsed.data;
  // eventID is "<shardId>:<sequenceNumber>"; one invocation reads one shard, but say so explicitly.
  const shard = eventID?.split(':')[0] ?? 'shard';
  const label = `Kinesis record ${kinesis.sequenceNumber}`;
  return {
    itemIdentifier: kinesis.sequenceNumber,
    orderKey: shard,
    payload: decodeJson(Buffer.from(kinesis.data, 'base64').toString('utf8')),
    label,
  };
}

function sqsRecordOf(raw: unknown, index: number): StreamRecord {
  const parsed = sqsRecord.safeParse(raw);
  if (!parsed.success) return malformed('SQS', raw, index);
  const { messageId, body, attributes, eventSourceARN } = parsed.data;
  let payload = decodeJson(body);
  // An EventBridge rule with an SQS target delivers the whole event as the body.
  const bridged = eventBridgeEvent.safeParse(payload);
  if (bridged.success && isRecord(payload) && payload.type === undefined) payload = bridged.data.detail;
  const group = attributes?.MessageGroupId;
  return {
    itemIdentifier: messageId,
    orderKey: group === undefined ? null : `${eventSourceARN ?? ''}#${group}`,
    payload,
    label: `SQS message ${messageId}`,
  };
}

/** A record AWS would never send: dead-lettered under a placeholder id (it cannot be reported). */
function malformed(kind: string, raw: unknown, index: number): StreamRecord {
  return {
    itemIdentifier: '',
    orderKey: null,
    payload: raw,
    label: `${kind} record ${index}`,
    problem: `${kind} record ${index} is not the shape AWS documents for a Lambda ${kind} event`,
  };
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
