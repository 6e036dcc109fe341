import { readBody, startLocalServer, type LocalServer } from './local-server';

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
  private server: LocalServer | undefined;

  async start(): Promise<string> {
    this.server = await startLocalServer(async (request, response) => {
      const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      this.requests.push({ target: request.headers['x-amz-target'] as string | undefined, body });
      this.authorizations.push(request.headers.authorization);
      const answer = this.respond(body);
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
      });
      response.end(JSON.stringify(answer.body));
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
