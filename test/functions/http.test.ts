import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentSignature } from '../../src/http';
import { pageEvent } from '../support/events';

type Result = { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
type Handler = (event: unknown, context: unknown) => Promise<Result>;

/** An API Gateway HTTP API request (payload format 2.0), as the HTTP Lambda receives it. */
function httpApiEvent(
  method: string,
  path: string,
  options: { query?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: {
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'x-forwarded-for': '198.51.100.4',
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.4', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Dec/2026:10:00:00 +0000',
      timeEpoch: 1796119200000,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  };
}

describe('functions/http.ts (the HTTP doors behind an API Gateway HTTP API)', () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-http-lambda-'));
  const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'lambda-request-1' };
  let handler: Handler;

  beforeAll(async () => {
    Object.assign(process.env, {
      TOUCHPOINT_STORE: 'memory',
      TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
      TOUCHPOINT_WEBHOOK_SECRET: 'secret',
      TOUCHPOINT_API_TOKEN: 'token',
      TOUCHPOINT_LOG_LEVEL: 'silent',
      POWERTOOLS_METRICS_DISABLED: 'true', // no EMF lines in the test output
    });
    ({ handler } = (await import('../../functions/http')) as unknown as { handler: Handler });
  });

  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the pixel as a base64 GIF and a signed webhook with its report, then the profile for the token', async () => {
    // Prepare
    const body = JSON.stringify(
      pageEvent({
        anonymousId: 'lambda-anon',
        at: '2026-03-01T10:00:00Z',
        url: 'https://shop.example.com/?utm_source=google&utm_medium=cpc',
      }),
    );

    // Act
    const pixel = await handler(
      httpApiEvent('GET', '/t.gif', {
        query: 'anonymousId=pixel-anon&url=https%3A%2F%2Fshop.example.com%2F',
      }),
      context,
    );
    const webhook = await handler(
      httpApiEvent('POST', '/segment', {
        body,
        headers: { 'content-type': 'application/json', 'x-signature': segmentSignature('secret', body) },
      }),
      context,
    );
    const unsigned = await handler(httpApiEvent('POST', '/segment', { body }), context);
    const profile = await handler(
      httpApiEvent('GET', '/api/anonymous/lambda-anon', { headers: { authorization: 'Bearer token' } }),
      context,
    );

    // Assess
    expect(pixel).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: expect.objectContaining({ 'content-type': 'image/gif' }),
    });
    expect(Buffer.from(pixel.body, 'base64')).toHaveLength(43);
    expect(webhook.statusCode).toBe(200);
    expect(JSON.parse(webhook.body)).toMatchObject({ received: 1, processed: 1, touches: 1 });
    expect(unsigned.statusCode).toBe(401);
    expect(profile.statusCode).toBe(200);
    expect(JSON.parse(profile.body)).toMatchObject({
      target: 'anon:lambda-anon',
      last_touch: expect.objectContaining({ channel: 'Paid Search' }),
    });
  });
});
