import { lambdaHandler } from '../../src/app';
import { ConfigurationError } from '../../src/errors';
import { createHttpRoutes, segmentSignature, type HttpServer } from '../../src/http';
import { generateEvents } from '../../src/generate';
import { pageEvent } from '../support/events';
import { recordingStore, serveOnLoopback, serveRoutes, testApp } from './support';

const SECRET = 'segment-shared-secret';
const SIGNED = { TOUCHPOINT_WEBHOOK_SECRET: SECRET };

/** Posts `body` to /segment, signed with `secret` over the body unless a signature is given. */
async function post(
  server: HttpServer,
  body: string,
  signature: string | null = segmentSignature(SECRET, body),
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/segment`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(signature === null ? {} : { 'X-Signature': signature }),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /segment (the Segment Webhooks destination)', () => {
  /** What each test started, stopped after it: servers first, then their apps. */
  const started: Array<() => Promise<void>> = [];
  const open = async (...args: Parameters<typeof testApp>) => {
    const app = await testApp(...args);
    const server = await serveOnLoopback(app);
    started.push(async () => {
      await server.close();
      await app.close();
    });
    return { app, server };
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((stop) => stop()));
  });

  it('writes the same traits for a signed generated stream as the Lambda handler does for that stream', async () => {
    // Prepare
    const stream = generateEvents({ users: 20, seed: 4, start: new Date('2026-03-01T00:00:00Z') });
    const { app, server } = await open(SIGNED);
    const lambdaApp = await testApp(SIGNED);
    const lambda = lambdaHandler(async () => lambdaApp);

    // Act
    const statuses = new Set<number>();
    for (const message of stream) {
      statuses.add((await post(server, JSON.stringify(message))).status);
      await lambda(message, { getRemainingTimeInMillis: () => 5000 });
    }

    // Assess
    expect(statuses).toEqual(new Set([200]));
    expect(app.writer.delivered.length).toBeGreaterThan(20);
    expect(app.writer.profiles()).toEqual(lambdaApp.writer.profiles());
    await lambdaApp.close();
  });

  it('answers 401 for a missing or wrong signature and touches no store', async () => {
    // Prepare
    const { store, calls } = recordingStore();
    const { server } = await open(SIGNED, store);
    const body = JSON.stringify(
      pageEvent({ anonymousId: 'a-1', at: '2026-03-01T10:00:00Z', url: 'https://x.io/' }),
    );

    // Act
    const unsigned = await post(server, body, null);
    const wrong = await post(server, body, segmentSignature('another-secret', body));
    const garbage = await post(server, body, 'not-hex');

    // Assess
    expect([unsigned.status, wrong.status, garbage.status]).toEqual([401, 401, 401]);
    expect(unsigned.json.error).toMatch(/X-Signature/);
    expect(calls).toEqual([]);
  });

  it('accepts an Actions batch (an array) signed as Segment signs batches, and one signed over the whole body', async () => {
    // Prepare
    const { server } = await open(SIGNED);
    const batch = [1, 2, 3].map((n) =>
      pageEvent({
        anonymousId: `batch-${n}`,
        at: `2026-03-0${n}T10:00:00Z`,
        url: `https://shop.example.com/?utm_source=partner&utm_medium=referral&n=${n}`,
      }),
    );
    const body = JSON.stringify(batch);
    const other = JSON.stringify([
      pageEvent({ anonymousId: 'batch-4', at: '2026-03-04T10:00:00Z', url: 'https://x.io/' }),
    ]);

    // Act: Segment signs a batched request over the JSON of its first event (action-destinations webhook)
    const secondSigned = await post(server, body, segmentSignature(SECRET, JSON.stringify(batch[1])));
    const firstSigned = await post(server, body, segmentSignature(SECRET, JSON.stringify(batch[0])));
    const bodySigned = await post(server, other, segmentSignature(SECRET, other));

    // Assess
    expect(secondSigned.status).toBe(401);
    expect(firstSigned).toEqual({
      status: 200,
      json: expect.objectContaining({ received: 3, processed: 3, touches: 3 }),
    });
    expect(bodySigned).toEqual({ status: 200, json: expect.objectContaining({ received: 1, processed: 1 }) });
  });

  it('answers 5xx on a transient failure, so Segment retries, and the redelivery completes without duplicates', async () => {
    // Prepare
    const { app, server } = await open(SIGNED);
    const body = JSON.stringify(
      pageEvent({
        anonymousId: 'retry-1',
        at: '2026-03-01T10:00:00Z',
        url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email',
      }),
    );
    app.writer.failNextFlushes = 1; // Segment's tracking API is down for the first delivery

    // Act
    const first = await post(server, body);
    const redelivered = await post(server, body);
    const again = await post(server, body);

    // Assess
    expect(first.status).toBe(503);
    expect(redelivered).toEqual({
      status: 200,
      json: expect.objectContaining({ processed: 1, duplicates: 0 }),
    });
    expect(again).toEqual({ status: 200, json: expect.objectContaining({ processed: 1, identifyCalls: 0 }) });
    const touches = await app.pipeline.store.touchesOf(['anon:retry-1']);
    expect(touches).toHaveLength(1);
    expect(app.writer.delivered.filter((call) => call.target === 'anon:retry-1')).toHaveLength(1);
    expect(app.writer.profiles().get('anon:retry-1')).toMatchObject({
      touch_count: 1,
      first_touch_channel: 'Email',
    });
  });

  it('answers 400 for a body that is not JSON, and dead-letters it', async () => {
    // Prepare
    const { app, server } = await open(SIGNED);

    // Act
    const result = await post(server, 'type=page&userId=1');

    // Assess
    expect(result).toEqual({
      status: 400,
      json: expect.objectContaining({
        error: 'body is not JSON',
        report: expect.objectContaining({ deadLettered: 1 }),
      }),
    });
    expect(await app.pipeline.store.listDeadLetters(5)).toEqual([
      expect.objectContaining({ reason: 'not JSON', payload: 'type=page&userId=1' }),
    ]);
  });

  it('answers 500 when the app cannot be built (a bad variable), so Segment retries until it is fixed', async () => {
    // Prepare
    const routes = createHttpRoutes({
      loadApp: () => Promise.reject(new ConfigurationError('TOUCHPOINT_STORE: not a store')),
      loopback: true,
    });
    const server = await serveRoutes(routes);
    started.push(() => server.close());

    // Act
    const result = await post(server, '{}');

    // Assess
    expect(result).toEqual({ status: 500, json: { error: 'internal error' } });
  });

  it('answers 413 for a body over TOUCHPOINT_HTTP_BODY_LIMIT_BYTES, before reading the store', async () => {
    // Prepare
    const { store, calls } = recordingStore();
    const { server } = await open({ TOUCHPOINT_HTTP_BODY_LIMIT_BYTES: '2048' }, store);
    const small = JSON.stringify(
      pageEvent({ anonymousId: 'a', at: '2026-03-01T10:00:00Z', url: 'https://x.io/' }),
    );
    const large = JSON.stringify({ ...JSON.parse(small), properties: { padding: 'x'.repeat(4096) } });

    // Act
    const tooLarge = await post(server, large, null);
    const callsAfterTooLarge = [...calls];
    const fits = await post(server, small, null);

    // Assess
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toMatch(/2048 bytes/);
    expect(callsAfterTooLarge).toEqual([]);
    expect(fits.status).toBe(200); // no secret configured: unsigned requests are accepted
    expect(calls).toContain('putTouch');
  });
});
