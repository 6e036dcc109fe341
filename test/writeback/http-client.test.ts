import type { Socket } from 'node:net';
import { KeepAliveHttpClient } from '../../src/writeback/http-client';
import { readBody, startLocalServer, type LocalServer } from '../support/local-server';

const request = (url: string, body = '{"batch":[]}', httpRequestTimeout = 2_000) => ({
  url: `${url}/v1/batch`,
  method: 'POST' as const,
  headers: { 'Content-Type': 'application/json', Authorization: 'Basic d2s6' },
  body,
  httpRequestTimeout,
});

describe('KeepAliveHttpClient', () => {
  let server: LocalServer;
  let answer: { status: number; headers?: Record<string, string>; body: string } | 'hang';
  const received: Array<{ body: string; headers: Record<string, unknown>; socket: Socket }> = [];
  const closedSockets = new Set<Socket>();
  let client: KeepAliveHttpClient;

  beforeAll(async () => {
    server = await startLocalServer((incoming, response) => {
      incoming.socket.once('close', () => closedSockets.add(incoming.socket));
      void readBody(incoming).then((body) => {
        received.push({ body, headers: incoming.headers, socket: incoming.socket });
        if (answer === 'hang') return;
        response.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"success":true}' };
    received.length = 0;
    closedSockets.clear();
    client = new KeepAliveHttpClient();
  });
  afterEach(() => client.destroy());

  it('sends the body and headers as given, with its length, and returns status, headers and text', async () => {
    // Prepare
    answer = { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' };
    const body = JSON.stringify({ batch: [{ type: 'identify', userId: 'u-1', traits: { city: 'Zürich' } }] });

    // Act
    const response = await client.makeRequest(request(server.url, body));

    // Assess
    expect(received[0]?.body).toBe(body);
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Basic d2s6',
      'content-length': String(Buffer.byteLength(body)),
    });
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect((response.headers as Record<string, string>)['retry-after']).toBe('7');
    expect(await response.text?.()).toBe('slow down');
  });

  it('sends one request after another on one kept connection', async () => {
    // Act
    for (let i = 0; i < 5; i++) await client.makeRequest(request(server.url));

    // Assess
    expect(received).toHaveLength(5);
    expect(new Set(received.map((entry) => entry.socket)).size).toBe(1);
  });

  it('rejects a request the server does not answer within httpRequestTimeout, naming the timeout', async () => {
    // Prepare
    answer = 'hang';
    const started = Date.now();

    // Act
    const sent = client.makeRequest(request(server.url, '{}', 150));

    // Assess
    await expect(sent).rejects.toThrow('request timed out after 150 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects when nothing listens at the address', async () => {
    // Prepare
    const gone = await startLocalServer((_incoming, response) => response.end());
    await gone.close();

    // Act
    const sent = client.makeRequest(request(gone.url));

    // Assess
    await expect(sent).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes its kept connection when destroyed', async () => {
    // Prepare
    await client.makeRequest(request(server.url));
    const socket = received[0]?.socket as Socket;

    // Act
    client.destroy();
    await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', resolve)));

    // Assess
    expect(closedSockets.has(socket)).toBe(true);
  });
});
