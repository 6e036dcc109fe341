import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local endpoint speaking the SSM JSON protocol (AWS JSON 1.1) for GetParameter, on 127.0.0.1 and a
 * free port. It records every request and its Authorization header; `respond` decides the answer
 * (by default the parameter, as a SecureString whose value is `value`).
 */
export class FakeSsm {
  readonly requests: Array<{ target: string | undefined; body: Record<string, unknown> }> = [];
  readonly authorizations: Array<string | undefined> = [];
  value = 'wk-from-ssm';
  respond: (body: Record<string, unknown>) => { status: number; body: unknown; type?: string } = (body) => ({
    status: 200,
    body: { Parameter: { Name: body.Name, Type: 'SecureString', Value: this.value } },
  });
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer(async (request, response) => {
      const body = JSON.parse(await read(request)) as Record<string, unknown>;
      this.requests.push({ target: request.headers['x-amz-target'] as string | undefined, body });
      this.authorizations.push(request.headers.authorization);
      const answer = this.respond(body);
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
      });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

async function read(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}
