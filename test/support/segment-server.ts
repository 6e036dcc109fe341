import type { IncomingHttpHeaders } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server';

export interface ReceivedBatch {
  path: string;
  headers: IncomingHttpHeaders;
  body: { batch: Array<Record<string, unknown>>; writeKey?: string; sentAt?: string };
}

/**
 * A local stand-in for Segment's tracking API (`POST /v1/batch`) on 127.0.0.1 and a free port. It records
 * every request and answers 200, or `failWith` for the next `failures` requests.
 */
export class FakeSegmentApi {
  /** requests answered 200 */
  readonly received: ReceivedBatch[] = [];
  /** every request, failed ones included */
  readonly attempts: ReceivedBatch[] = [];
  failures = 0;
  failWith = 500;
  /** when true, requests are never answered (a hung network) */
  hang = false;
  /** the TCP connections requests came in on: how many the client opened */
  readonly connections = new Set<unknown>();
  private server: LocalServer | undefined;

  async start(): Promise<string> {
    this.server = await startLocalServer((request, response) => {
      this.connections.add(request.socket);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const batch: ReceivedBatch = {
          path: request.url ?? '',
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedBatch['body'],
        };
        this.attempts.push(batch);
        if (this.hang) return;
        if (this.failures > 0) {
          this.failures--;
          response.writeHead(this.failWith, { 'content-type': 'application/json' }).end('{"success":false}');
          return;
        }
        this.received.push(batch);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
      });
    });
    return this.server.url;
  }

  /** Every message received, across batches. */
  messages(): Array<Record<string, unknown>> {
    return this.received.flatMap((request) => request.body.batch);
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
