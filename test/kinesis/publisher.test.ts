import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { KinesisPublisher } from '../../src/kinesis';
import { entryOf, replayToStream } from '../../src/replay';
import { pageEvent } from '../support/events';
import { startLocalKinesis, TEST_CREDENTIALS, type LocalKinesis } from '../support/kinesis-local';
import { readBody, startLocalServer, type LocalServer } from '../support/local-server';

/**
 * A proxy in front of kinesalite that throttles: the first PutRecords call is refused whole (400
 * ProvisionedThroughputExceededException), the second has every other record refused, as Kinesis does
 * for a hot shard; everything else passes through unchanged.
 */
async function startThrottlingProxy(upstream: string): Promise<LocalServer & { putCalls: number }> {
  const state = { putCalls: 0 };
  const forward = (body: string, headers: IncomingMessage['headers']) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const target = new URL(upstream);
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 500, body: text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const server = await startLocalServer((incoming: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const body = await readBody(incoming);
      const isPut = incoming.headers['x-amz-target'] === 'Kinesis_20131202.PutRecords';
      if (isPut) state.putCalls++;
      const json = { 'content-type': 'application/x-amz-json-1.1' };
      if (isPut && state.putCalls === 1) {
        response.writeHead(400, json).end(
          JSON.stringify({
            __type: 'ProvisionedThroughputExceededException',
            message: 'Rate exceeded for stream',
          }),
        );
        return;
      }
      if (isPut && state.putCalls === 2) {
        // Forward the even records only (the signature is not checked by kinesalite); refuse the odd.
        const parsed = JSON.parse(body) as { StreamName: string; Records: unknown[] };
        const even = parsed.Records.filter((_, index) => index % 2 === 0);
        const upstreamAnswer = await forward(JSON.stringify({ ...parsed, Records: even }), incoming.headers);
        const accepted = (JSON.parse(upstreamAnswer.body) as { Records: unknown[] }).Records;
        const records = parsed.Records.map((_, index) =>
          index % 2 === 0
            ? accepted[index / 2]
            : {
                ErrorCode: 'ProvisionedThroughputExceededException',
                ErrorMessage: 'Rate exceeded for shard',
              },
        );
        response
          .writeHead(200, json)
          .end(
            JSON.stringify({ FailedRecordCount: Math.floor(parsed.Records.length / 2), Records: records }),
          );
        return;
      }
      const answer = await forward(body, incoming.headers);
      response.writeHead(answer.status, json).end(answer.body);
    })();
  });
  return {
    url: server.url,
    close: () => server.close(),
    get putCalls() {
      return state.putCalls;
    },
  };
}

const SITE = 'https://shop.example.com';

/** `count` page events over `users` profiles: half identified (userId), half anonymous. */
function stream(count: number, users: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, index) => {
    const user = index % users;
    const event = pageEvent({
      anonymousId: `anon-${user}`,
      at: new Date(Date.UTC(2026, 2, 1, 10, 0, index)).toISOString(),
      url: `${SITE}/p/${index}?utm_source=news&utm_medium=email`,
    });
    return user % 2 === 0 ? { ...event, userId: `user-${user}` } : event;
  });
}

async function* linesOf(messages: ReadonlyArray<Record<string, unknown>>): AsyncGenerator<string[]> {
  yield* Readable.from([messages.map((message) => JSON.stringify(message))]);
}

describe('replay --to kinesis: (KinesisPublisher against kinesalite)', () => {
  let kinesis: LocalKinesis;

  beforeEach(async () => {
    kinesis = await startLocalKinesis();
  });

  afterEach(async () => {
    await kinesis.close();
  });

  it('publishes every message once, keyed by userId else anonymousId, one profile per shard', async () => {
    await kinesis.createStream('clicks', 3);
    const messages = stream(1_203, 40);
    const publisher = new KinesisPublisher({ client: kinesis.client, stream: 'clicks' });

    const summary = await replayToStream(linesOf(messages), publisher);

    expect(summary).toMatchObject({ published: 1_203, retried: 0, skipped: 0 });
    expect(summary.calls).toBe(3); // 500 + 500 + 203
    const shards = await kinesis.readAll('clicks');
    const records = [...shards.values()].flat();
    expect(records).toHaveLength(1_203);
    const ids = records.map((record) => (JSON.parse(record.data) as { messageId: string }).messageId);
    expect(new Set(ids).size).toBe(1_203);
    for (const record of records) {
      const message = JSON.parse(record.data) as { userId?: string; anonymousId: string };
      expect(record.partitionKey).toBe(message.userId ?? message.anonymousId);
    }
    // Each partition key lives on exactly one shard, so one profile's events stay in order.
    const shardOfKey = new Map<string, string>();
    for (const [shard, shardRecords] of shards)
      for (const { partitionKey } of shardRecords) {
        expect(shardOfKey.get(partitionKey) ?? shard).toBe(shard);
        shardOfKey.set(partitionKey, shard);
      }
    // ... in the order they were read.
    const first = shards.get(shardOfKey.get('user-0') ?? '') ?? [];
    const times = first
      .filter((record) => record.partitionKey === 'user-0')
      .map((record) => (JSON.parse(record.data) as { timestamp: string }).timestamp);
    expect(times).toEqual([...times].sort());
  });

  it('retries a throttled PutRecords call and the records a throttled shard refused, with backoff', async () => {
    await kinesis.createStream('clicks', 1);
    const proxy = await startThrottlingProxy(kinesis.url);
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: proxy.url,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    const delays: number[] = [];
    const publisher = new KinesisPublisher({
      client,
      stream: 'clicks',
      delay: async (ms) => {
        delays.push(ms);
      },
    });
    try {
      const summary = await replayToStream(linesOf(stream(10, 4)), publisher);

      expect(proxy.putCalls).toBe(3); // refused whole, then 5 of 10 refused, then the 5 again
      expect(summary).toMatchObject({ published: 10, calls: 3, retried: 15 });
      expect(delays).toHaveLength(2);
      const records = [...(await kinesis.readAll('clicks')).values()].flat();
      const ids = records.map((record) => (JSON.parse(record.data) as { messageId: string }).messageId);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('gives up with a RetryableError after maxAttempts when the stream keeps refusing', async () => {
    await kinesis.createStream('clicks', 1);
    const proxy = await startThrottlingProxy(kinesis.url);
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: proxy.url,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    const publisher = new KinesisPublisher({
      client,
      stream: 'clicks',
      maxAttempts: 1,
      delay: async () => {},
    });
    try {
      await expect(replayToStream(linesOf(stream(2, 1)), publisher)).rejects.toMatchObject({
        name: 'RetryableError',
      });
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('names a stream that does not exist as a configuration error', async () => {
    const publisher = new KinesisPublisher({
      client: kinesis.client,
      stream: 'missing',
      delay: async () => {},
    });
    await expect(replayToStream(linesOf(stream(1, 1)), publisher)).rejects.toMatchObject({
      name: 'ConfigurationError',
    });
  });

  it('keys a record by userId, else anonymousId, and skips what is not a message', () => {
    expect(entryOf({ userId: 'u', anonymousId: 'a', type: 'page' })?.partitionKey).toBe('u');
    expect(entryOf({ anonymousId: 'a', type: 'page' })?.partitionKey).toBe('a');
    expect(entryOf('not json')).toBeNull();
  });
});
