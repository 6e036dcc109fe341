import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** A local Kinesis server (kinesalite, in memory) on 127.0.0.1 and a free port. */
export interface LocalKinesis {
  url: string;
  client: KinesisClient;
  createStream(name: string, shards: number): Promise<void>;
  /** every record of the stream, by shard, in sequence order */
  readAll(name: string): Promise<Map<string, Array<{ partitionKey: string; data: string }>>>;
  close(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export async function startLocalKinesis(): Promise<LocalKinesis> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require('kinesalite') as (options: { createStreamMs: number }) => Server;
  const server = kinesalite({ createStreamMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  });
  return {
    url,
    client,
    async createStream(name, shards) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    },
    async readAll(name) {
      const result = new Map<string, Array<{ partitionKey: string; data: string }>>();
      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: name }));
      for (const shard of Shards) {
        const records: Array<{ partitionKey: string; data: string }> = [];
        let { ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({
            StreamName: name,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        while (iterator) {
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          for (const record of page.Records ?? [])
            records.push({
              partitionKey: record.PartitionKey ?? '',
              data: Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'),
            });
          if ((page.Records ?? []).length === 0) break;
          iterator = page.NextShardIterator;
        }
        result.set(shard.ShardId ?? '', records);
      }
      return result;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
