import { recogniseLambdaEvent } from '../../src/events';
import { pageEvent } from '../support/events';
import { eventBridgeEvent, kinesisEvent, sequenceNumber, sqsEvent } from '../support/lambda-events';

const message = pageEvent({
  anonymousId: 'anon-1',
  at: '2026-03-01T10:00:00Z',
  url: 'https://shop.example.com/',
});

describe('recogniseLambdaEvent', () => {
  it('decodes a Kinesis batch: base64 data, the sequence number as item id, the shard as order', () => {
    const recognised = recogniseLambdaEvent(kinesisEvent([message, 'not json'], 7));

    expect(recognised).toEqual({
      kind: 'kinesis',
      records: [
        {
          itemIdentifier: sequenceNumber(7),
          orderKey: 'shardId-000000000006',
          payload: message,
          label: `Kinesis record ${sequenceNumber(7)}`,
        },
        {
          itemIdentifier: sequenceNumber(8),
          orderKey: 'shardId-000000000006',
          payload: 'not json',
          label: `Kinesis record ${sequenceNumber(8)}`,
        },
      ],
    });
  });

  it('reads an SQS batch: the body, the messageId as item id, no order for a standard queue', () => {
    const event = sqsEvent([message]);

    expect(recogniseLambdaEvent(event)).toEqual({
      kind: 'sqs',
      records: [
        {
          itemIdentifier: event.Records[0]!.messageId,
          orderKey: null,
          payload: message,
          label: expect.any(String),
        },
      ],
    });
  });

  it('orders an SQS FIFO batch by message group', () => {
    const event = sqsEvent([message, message]);
    for (const record of event.Records) Object.assign(record.attributes, { MessageGroupId: 'user-1' });

    const recognised = recogniseLambdaEvent(event);

    expect(recognised.kind === 'sqs' && recognised.records.map((record) => record.orderKey)).toEqual([
      expect.stringContaining('#user-1'),
      expect.stringContaining('#user-1'),
    ]);
  });

  it('unwraps an EventBridge event delivered to SQS, and one delivered directly', () => {
    const viaQueue = recogniseLambdaEvent(sqsEvent([eventBridgeEvent(message)]));
    expect(viaQueue.kind === 'sqs' && viaQueue.records[0]?.payload).toEqual(message);

    expect(recogniseLambdaEvent(eventBridgeEvent(message))).toEqual({ kind: 'eventbridge', message });
  });

  it('names an envelope it does not consume', () => {
    expect(recogniseLambdaEvent({ Records: [{ eventSource: 'aws:dynamodb' }] })).toEqual({
      kind: 'unknown',
      reason: expect.stringContaining('"aws:dynamodb"'),
    });
    expect(recogniseLambdaEvent({ Records: [{ EventSource: 'aws:sns' }] })).toMatchObject({
      reason: expect.stringContaining('"aws:sns"'),
    });
    expect(
      recogniseLambdaEvent({ 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: {} } }),
    ).toEqual({ kind: 'unknown', reason: expect.stringContaining('"aws.s3"') });
  });

  it('passes Segment inputs through as before: a message, an array, {batch}, a JSON string', () => {
    for (const input of [message, [message], { batch: [message] }, JSON.stringify(message)])
      expect(recogniseLambdaEvent(input)).toEqual({ kind: 'segment', input });
  });

  it('marks a record that is not the shape AWS documents, with an empty id (never reported)', () => {
    const recognised = recogniseLambdaEvent({ Records: [{ eventSource: 'aws:kinesis', kinesis: {} }] });

    expect(recognised.kind === 'kinesis' && recognised.records[0]).toMatchObject({
      itemIdentifier: '',
      problem: expect.stringContaining('not the shape AWS documents'),
    });
  });
});
