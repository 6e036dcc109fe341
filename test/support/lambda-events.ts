/**
 * Lambda events exactly as AWS documents them (the sample events of the Lambda developer guide:
 * "Using Lambda with Kinesis", "Using Lambda with Amazon SQS", EventBridge's event structure), so the
 * doors are tested against what Lambda really sends.
 */

const REGION = 'us-east-2';
const ACCOUNT = '123456789012';
export const STREAM_ARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/touchpoint-clicks`;
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:touchpoint-buffer`;

/** A Kinesis record's sequence number: 56 digits, increasing with `n`. */
export const sequenceNumber = (n: number) => `4959${String(n).padStart(52, '0')}`;

/** One Kinesis record holding `data` (a Segment message, or any text) as Segment's Kinesis destination writes it. */
export function kinesisRecord(data: unknown, n: number, shard = 'shardId-000000000006') {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const message = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: String(message.userId ?? message.anonymousId ?? 'key'),
      sequenceNumber: sequenceNumber(n),
      data: Buffer.from(text, 'utf8').toString('base64'),
      approximateArrivalTimestamp: 1545084650.987,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shard}:${sequenceNumber(n)}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/lambda-role`,
    awsRegion: REGION,
    eventSourceARN: STREAM_ARN,
  };
}

/** A Kinesis event: `{Records: [...]}`, records numbered from `first`. */
export function kinesisEvent(messages: readonly unknown[], first = 1) {
  return { Records: messages.map((message, index) => kinesisRecord(message, first + index)) };
}

/** One SQS record whose body is `body` (JSON text of a message, or any text). */
export function sqsRecord(body: unknown, n: number) {
  return {
    messageId: `059f36b4-87a3-44ab-83d2-${String(n).padStart(12, '0')}`,
    receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${n}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
    },
    messageAttributes: {},
    md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: REGION,
  };
}

export function sqsEvent(bodies: readonly unknown[], first = 1) {
  return { Records: bodies.map((body, index) => sqsRecord(body, first + index)) };
}

/** An EventBridge event as a rule delivers it to a target; Segment's destination puts the message in detail. */
export function eventBridgeEvent(message: Record<string, unknown>) {
  return {
    version: '0',
    id: `6a7e8feb-b491-4cf7-a9f1-${String(message.messageId ?? '0')
      .slice(0, 12)
      .padStart(12, '0')}`,
    'detail-type': String(message.type ?? 'track'),
    source: 'aws.partner/segment.com/acme/production',
    account: ACCOUNT,
    time: String(message.timestamp ?? '2026-03-01T10:00:00Z'),
    region: REGION,
    resources: [],
    detail: message,
  };
}

/** What a Lambda context offers the handler. */
export const lambdaContext = (remainingMs = 60_000) => ({
  getRemainingTimeInMillis: () => remainingMs,
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
});
