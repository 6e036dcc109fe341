import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../config';
import { openStore } from '../../app';
import { defineCommand } from '../types';

export const setupCommand = defineCommand({
  name: 'setup',
  summary:
    'create the configured store: the DynamoDB table (on demand, TTL on `ttl`) or the SQLite file; idempotent',
  positionals: [],
  flags: {},
  async run(_input, io) {
    const config = loadConfig(io.env);
    const location = config.store;
    switch (location.kind) {
      case 'dynamodb': {
        const { createDocumentClient, createTable, DynamoDbStore } = await import('../../store/dynamodb');
        const client = new DynamoDBClient({});
        try {
          await createTable(client, location.table);
          const region = await client.config.region();
          // A table written by an earlier version keeps links and profile states where it kept them.
          const moved = await new DynamoDbStore(location.table, createDocumentClient(client)).migrate();
          io.stdout.write(
            `DynamoDB table "${location.table}" is ready in ${region} (on-demand, key pk/sk, TTL on ttl)\n`,
          );
          if (moved.links + moved.states > 0)
            io.stdout.write(
              `moved ${moved.links} identity links and ${moved.states} profile states into their ids' partitions\n`,
            );
        } finally {
          client.destroy();
        }
        return 0;
      }
      case 'sqlite': {
        const store = await openStore(location);
        await store.close();
        io.stdout.write(`SQLite store is ready at ${resolve(location.path)} (schema migrated)\n`);
        return 0;
      }
      case 'memory':
        io.stdout.write('the memory store needs no setup (state lasts one process)\n');
        return 0;
    }
  },
});
