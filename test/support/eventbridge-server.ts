import { readBody, startLocalServer, type LocalServer } from './local-server';

/** One entry as PutEvents received it, Detail parsed. */
export interface ReceivedEvent {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
  Time?: number | string;
}

/**
 * A local stand-in for EventBridge's PutEvents (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) on
 * 127.0.0.1 and a free port, for the real @aws-sdk/client-eventbridge. It records every entry it
 * accepted and every call. `failCalls` answers the next calls with a 500 InternalException; `refuse`
 * picks entries to answer with a per-entry error code (FailedEntryCount), as EventBridge does.
 */
export class FakeEventBridge {
  readonly accepted: ReceivedEvent[] = [];
  /** entries per call, accepted or not */
  readonly calls: number[] = [];
  failCalls = 0;
  refuse: (entry: ReceivedEvent) => string | null = () => null;
  private server: LocalServer | undefined;

  async start(): Promise<string> {
    this.server = await startLocalServer((request, response) => {
      void readBody(request).then((text) => {
        const json = { 'content-type': 'application/x-amz-json-1.1' };
        if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
          response.writeHead(400, json).end(JSON.stringify({ __type: 'UnknownOperationException' }));
          return;
        }
        const { Entries } = JSON.parse(text) as {
          Entries: Array<Omit<ReceivedEvent, 'Detail'> & { Detail: string }>;
        };
        this.calls.push(Entries.length);
        if (this.failCalls > 0) {
          this.failCalls--;
          response.writeHead(500, json).end(JSON.stringify({ __type: 'InternalException', message: 'boom' }));
          return;
        }
        let failed = 0;
        const results = Entries.map((raw, index) => {
          const entry = { ...raw, Detail: JSON.parse(raw.Detail) as Record<string, unknown> };
          const code = this.refuse(entry);
          if (code) {
            failed++;
            return { ErrorCode: code, ErrorMessage: `${code} for entry ${index}` };
          }
          this.accepted.push(entry);
          return { EventId: `event-${this.accepted.length}` };
        });
        response.writeHead(200, json).end(JSON.stringify({ FailedEntryCount: failed, Entries: results }));
      });
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
