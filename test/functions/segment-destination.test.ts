import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { identifyEvent, pageEvent } from '../support/events';
import { FakeSegmentApi } from '../support/segment-server';

type Handler = (
  event: unknown,
  context: { getRemainingTimeInMillis(): number },
) => Promise<Record<string, number>>;

const ROOT = resolve(__dirname, '../..');
const SITE = 'https://shop.example.com';
/** The Lambda artifact's budget (README, Benchmarks): cold starts grow with the bundle. */
const LAMBDA_BUDGET_BYTES = 1024 * 1024;
const lambdaContext = { getRemainingTimeInMillis: () => 5000, awsRequestId: 'req-1' };

describe('the built Lambda bundle (dist/lambda/segment-destination.js)', () => {
  const api = new FakeSegmentApi();
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bundle-'));
  let handler: Handler;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const host = await api.start();
    Object.assign(process.env, {
      TOUCHPOINT_STORE: 'memory',
      SEGMENT_WRITE_KEY: 'test-write-key',
      SEGMENT_HOST: host,
      TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
      TOUCHPOINT_LOG_LEVEL: 'silent',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(join(ROOT, 'dist/lambda/segment-destination.js')) as { handler: Handler }).handler;
  });

  afterAll(async () => {
    process.env = saved;
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays within the deployed artifact budget: dist/lambda under 1,024 KB', () => {
    // template.yaml deploys dist/lambda as it is: the bundle and its package.json
    const bytes = readdirSync(join(ROOT, 'dist/lambda')).reduce(
      (sum, name) => sum + statSync(join(ROOT, 'dist/lambda', name)).size,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(LAMBDA_BUDGET_BYTES);
  });

  it('says what to set when told to use SQLite, which the Lambda bundle leaves out', () => {
    // Lambda ships no better-sqlite3 (native, left out of every bundle), so the bundle has no SQLite store
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(ROOT, 'dist/lambda/segment-destination.js'))})
          .handler({}, { getRemainingTimeInMillis: () => 5000 })
          .then(() => process.exit(0), (error) => { console.error(error.name + ': ' + error.message); process.exit(1); });`,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          TOUCHPOINT_STORE: `sqlite:${join(dir, 'never.db')}`,
          TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
          TOUCHPOINT_LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      },
    );

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'ConfigurationError: this Lambda bundle has no SQLite store: set TOUCHPOINT_STORE to dynamodb:<table> (or memory to try it)',
    );
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('exports a handler that writes the traits back as an identify call on the wire', async () => {
    const event = pageEvent({
      anonymousId: 'anon-1',
      at: '2026-03-01T10:00:00Z',
      url: `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=Spring_Sale`,
    });

    const report = await handler(event, lambdaContext);

    expect(report).toMatchObject({ processed: 1, touches: 1, identifyCalls: 1 });
    expect(api.received).toHaveLength(1);
    const request = api.received[0]!;
    expect(request.path).toBe('/v1/batch');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('test-write-key:').toString('base64')}`);
    const [identify] = request.body.batch;
    expect(identify).toMatchObject({
      type: 'identify',
      anonymousId: 'anon-1',
      messageId: expect.stringMatching(/^touchpoint-[0-9a-f]{40}$/),
      timestamp: '2026-03-01T10:00:00.000Z',
      integrations: { 'Amazon Lambda': false, 'Amazon Personalize': false },
      context: expect.objectContaining({ active: false }),
      traits: expect.objectContaining({
        first_touch_channel: 'Email',
        first_touch_source: 'newsletter',
        first_touch_medium: 'email',
        first_touch_campaign: 'Spring_Sale',
        last_touch_channel: 'Email',
        touch_count: 1,
      }),
    });
    expect(JSON.stringify(request.body)).not.toContain('secret-write-key');
  });

  it('sends nothing for a redelivered event', async () => {
    const event = pageEvent({
      anonymousId: 'anon-2',
      at: '2026-03-01T10:00:00Z',
      url: `${SITE}/`,
      referrer: 'https://www.bing.com/',
    });
    await handler(event, lambdaContext);
    const before = api.received.length;

    const report = await handler(event, lambdaContext);

    // applied again (a Lambda delivery is not marked done), and nothing changed to write back
    expect(report).toMatchObject({ processed: 1, identifyCalls: 0 });
    expect(api.received.length).toBe(before);
  });

  it('fails the invocation when Segment answers 500, and a redelivery completes it without duplicates', async () => {
    const event = pageEvent({
      anonymousId: 'anon-3',
      at: '2026-03-02T10:00:00Z',
      url: `${SITE}/`,
      referrer: 'https://duckduckgo.com/',
    });
    const identify = identifyEvent({ anonymousId: 'anon-3', userId: 'user-3', at: '2026-03-02T10:01:00Z' });
    await handler(event, lambdaContext);
    const receivedBefore = api.received.length;
    api.failures = 100;

    await expect(handler(identify, lambdaContext)).rejects.toThrow(/Segment write-back failed: \[500\]/);
    const failedAttempt = api.attempts.at(-1)!.body.batch[0]!;
    api.failures = 0;
    const retry = await handler(identify, lambdaContext);
    const again = await handler(identify, lambdaContext);

    expect(retry).toMatchObject({ processed: 1, identifyCalls: 1 });
    expect(again).toMatchObject({ processed: 1, identifyCalls: 0 });
    const delivered = api.received.slice(receivedBefore).flatMap((request) => request.body.batch);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ userId: 'user-3', messageId: failedAttempt.messageId });
    expect(delivered[0]!.traits).toMatchObject({ first_touch_source: 'duckduckgo', touch_count: 1 });
  });

  it('dead-letters an invalid event and returns normally', async () => {
    const report = await handler(
      { type: 'track', messageId: 'bad-1', timestamp: '2026-03-01T10:00:00Z' },
      lambdaContext,
    );
    expect(report).toMatchObject({ received: 1, deadLettered: 1, processed: 0 });
  });

  it('accepts a JSON string, an array and a {batch} envelope', async () => {
    const a = pageEvent({
      anonymousId: 'anon-4',
      at: '2026-03-01T10:00:00Z',
      url: `${SITE}/`,
      referrer: 'https://www.google.com/',
    });
    const b = pageEvent({
      anonymousId: 'anon-5',
      at: '2026-03-01T10:00:00Z',
      url: `${SITE}/`,
      referrer: 'https://www.google.com/',
    });
    const c = pageEvent({
      anonymousId: 'anon-6',
      at: '2026-03-01T10:00:00Z',
      url: `${SITE}/`,
      referrer: 'https://www.google.com/',
    });

    const reports = [
      await handler(JSON.stringify(a), lambdaContext),
      await handler([b], lambdaContext),
      await handler({ batch: [c] }, lambdaContext),
    ];

    expect(reports.map((report) => report.processed)).toEqual([1, 1, 1]);
  });
});
