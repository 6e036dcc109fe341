import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/segment-destination';
import { appOnce, createApp, createStoreApp, deliver } from '../../src/app';
import { ConfigurationError, RetryableError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { createInvocationMetrics, type InvocationMetrics } from '../../src/metrics';
import { MemoryStore } from '../../src/store';
import { runTouchpoint } from '../support/cli';
import { identifyEvent, pageEvent } from '../support/events';
import { RecordingTraitWriter } from '../support/recording-writer';
import { FakeSegmentApi } from '../support/segment-server';
import { FakeSsm } from '../support/ssm-server';

const SITE = 'https://shop.example.com';
const PARAMETER = '/touchpoint/segment-write-key';
const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('the composition root', () => {
  const ssm = new FakeSsm();
  const segment = new FakeSegmentApi();
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-app-'));
  const saved = { ...process.env };
  let env: Record<string, string>;

  beforeAll(async () => {
    const [ssmUrl, segmentUrl] = await Promise.all([ssm.start(), segment.start()]);
    env = {
      SEGMENT_WRITE_KEY_PARAMETER: PARAMETER,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_SSM: ssmUrl,
      SEGMENT_HOST: segmentUrl,
      TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
      TOUCHPOINT_LOG_LEVEL: 'silent',
    };
    // The SDK's default credential chain reads these from the process, as it does in Lambda.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test' });
  });

  afterAll(async () => {
    process.env = saved;
    await Promise.all([ssm.stop(), segment.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const answerWithValue = ssm.respond;
  beforeEach(() => {
    ssm.respond = answerWithValue;
    ssm.value = 'wk-from-ssm';
    ssm.requests.length = 0;
    segment.received.length = 0;
  });

  it('reads SEGMENT_WRITE_KEY_PARAMETER from SSM for the Lambda handler and writes to Segment with it', async () => {
    // Prepare
    const handler = createHandler(() => createApp({ ...env, TOUCHPOINT_STORE: 'memory' }));
    const event = pageEvent({ anonymousId: 'a-lambda', at: '2026-03-01T10:00:00Z', url: `${SITE}/?gclid=x` });

    // Act
    const report = await handler(event, { getRemainingTimeInMillis: () => 5000 });

    // Assess
    expect(report).toMatchObject({ processed: 1, identifyCalls: 1 });
    expect(ssm.requests).toEqual([
      { target: 'AmazonSSM.GetParameter', body: { Name: PARAMETER, WithDecryption: true } },
    ]);
    expect(segment.received.map((request) => request.headers.authorization)).toEqual([
      basicAuth('wk-from-ssm'),
    ]);
  });

  it('reads SEGMENT_WRITE_KEY_PARAMETER for `touchpoint replay` the same way, instead of writing the outbox', async () => {
    // Prepare
    const file = join(dir, 'events.jsonl');
    const outbox = join(dir, 'replay-outbox.jsonl');
    writeFileSync(
      file,
      [
        pageEvent({
          anonymousId: 'a-replay',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/?utm_source=news&utm_medium=email`,
        }),
        identifyEvent({ anonymousId: 'a-replay', userId: 'u-replay', at: '2026-03-01T10:05:00Z' }),
      ]
        .map((event) => JSON.stringify(event))
        .join('\n'),
    );

    // Act
    const { code, stdout, stderr } = await runTouchpoint(['replay', file], {
      env: { ...env, TOUCHPOINT_STORE: `sqlite:${join(dir, 'replay.db')}`, TOUCHPOINT_OUTBOX: outbox },
    });

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('Error') });
    expect(stdout).not.toContain('traits written to');
    expect(existsSync(outbox)).toBe(false);
    expect(ssm.requests).toHaveLength(1);
    const messages = segment.messages();
    expect(messages).toEqual([
      expect.objectContaining({
        type: 'identify',
        userId: 'u-replay',
        traits: expect.objectContaining({ first_touch_channel: 'Email' }),
      }),
    ]);
    expect(segment.received.map((request) => request.headers.authorization)).toEqual([
      basicAuth('wk-from-ssm'),
    ]);
  });

  it('fails to build, naming the variable, when the parameter cannot be read; a later build tries again', async () => {
    // Prepare
    ssm.respond = () => ({
      status: 400,
      type: 'ParameterNotFound',
      body: { __type: 'ParameterNotFound', message: 'no such parameter' },
    });
    const app = appOnce(() => createApp({ ...env, TOUCHPOINT_STORE: 'memory' }));

    // Act, Assess
    await expect(app()).rejects.toThrow(ConfigurationError);
    await expect(app()).rejects.toThrow(/SEGMENT_WRITE_KEY_PARAMETER/);
    ssm.respond = answerWithValue;
    ssm.value = 'wk-2';
    expect((await app()).config.segment.writeKey).toBe('wk-2');
    expect(await app()).toBe(await app());
    expect(ssm.requests).toHaveLength(3);
  });

  it('builds read-only tools without asking SSM or building a writer', async () => {
    const app = await createStoreApp({ ...env, TOUCHPOINT_STORE: 'memory' });

    expect(app.config.segment.writeKey).toBeNull();
    expect(ssm.requests).toHaveLength(0);
    await app.close();
  });

  it.each([
    [
      'the default Personalize paths and user traits',
      {},
      { context: [], properties: ['product_id', 'sku', 'event_attribution_source'], traits: ['plan'] },
    ],
    [
      'PERSONALIZE_CONTEXT and PERSONALIZE_ITEM_ID_PATHS paths into context, PERSONALIZE_FILTER_VALUES into traits',
      {
        PERSONALIZE_CONTEXT: 'DEVICE=context.device.type',
        PERSONALIZE_ITEM_ID_PATHS: 'context.item.id',
        PERSONALIZE_FILTER_VALUES: 'PLAN=traits.plan',
        PERSONALIZE_FILTER_ARN: 'arn:aws:personalize:us-east-1:111111111111:filter/plan',
      },
      { context: ['item', 'device'], properties: ['event_attribution_source'], traits: ['plan'] },
    ],
    ['a tracker given by the caller', {}, undefined, { tracker: { track: async () => ({ rejected: [] }) } }],
  ])(
    'keeps of a message waiting in a window what its downstream steps read: %s',
    async (_name, variables: Record<string, string>, reads: object | undefined, overrides: object = {}) => {
      const plain = { TOUCHPOINT_STORE: 'memory', TOUCHPOINT_LOG_LEVEL: 'silent', ...variables };
      const app = await createApp(plain, { writer: new RecordingTraitWriter(), ...overrides });

      expect(app.pipeline.settings.downstreamReads).toEqual(reads);
      await app.close();
    },
  );
});

describe('deliver', () => {
  const app = (overrides: { writer?: RecordingTraitWriter; metrics?: InvocationMetrics } = {}) =>
    createApp(
      { TOUCHPOINT_STORE: 'memory', TOUCHPOINT_DEADLINE_MS: '4000', TOUCHPOINT_LOG_LEVEL: 'silent' },
      {
        store: new MemoryStore(),
        writer: overrides.writer ?? new RecordingTraitWriter(),
        log: silentLogger,
        metrics: overrides.metrics,
      },
    );

  it('records each delivery as CloudWatch metrics, and the failed service when it asks for a retry', async () => {
    // Prepare
    const lines: string[] = [];
    const metrics = createInvocationMetrics((line) => lines.push(line));
    const writer = new RecordingTraitWriter();
    const built = await app({ writer, metrics });
    const values = (line: string | undefined) => JSON.parse(line ?? '{}') as Record<string, unknown>;

    // Act
    await deliver(built, [pageEvent({ anonymousId: 'm1', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }), {}]);
    built.pipeline.writer.flush = async () => {
      throw new RetryableError('Segment answered 503', { service: 'segment' });
    };
    await deliver(built, pageEvent({ anonymousId: 'm2', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }));

    // Assess
    expect(lines).toHaveLength(3);
    expect(values(lines[0])).toMatchObject({
      Received: 2,
      Processed: 1,
      DeadLettered: 1,
      DeadlineExceeded: 0,
    });
    expect(values(lines[1])).toMatchObject({ Processed: 0, DeadlineExceeded: 0 });
    expect(values(lines[2])).toMatchObject({ Service: 'segment', DownstreamFailures: 1 });
  });

  it('acknowledges a delivery whose messages were processed or dead-lettered', async () => {
    const outcome = await deliver(await app(), [
      pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }),
      { type: 'page' },
    ]);

    expect(outcome).toEqual({
      kind: 'done',
      report: expect.objectContaining({ processed: 1, deadLettered: 1 }),
    });
  });

  it('asks for a retry, as a RetryableError, when the write-back fails transiently', async () => {
    const writer = new RecordingTraitWriter();
    writer.failNextFlushes = 1;

    const outcome = await deliver(
      await app({ writer }),
      pageEvent({ anonymousId: 'a2', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }),
    );

    expect(outcome).toEqual({ kind: 'retry', error: expect.any(RetryableError) });
  });

  it('wraps any other failure as a RetryableError, so nothing is acknowledged that was not done', async () => {
    const built = await app();
    built.pipeline.store.recordActivity = async () => {
      throw new TypeError('disk on fire');
    };

    const outcome = await deliver(
      built,
      pageEvent({ anonymousId: 'a3', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }),
    );

    expect(outcome.kind).toBe('retry');
    expect(outcome.kind === 'retry' && outcome.error.message).toMatch(
      /unexpected failure.*TypeError: disk on fire/,
    );
  });

  it('keeps the safety margin inside what the platform leaves, and TOUCHPOINT_DEADLINE_MS inside that', async () => {
    const seen: number[] = [];
    const built = await app();
    built.pipeline.writer.flush = async (timeoutMs) => {
      seen.push(timeoutMs);
      return { rejected: [] };
    };
    const event = (n: number) =>
      pageEvent({ anonymousId: `d${n}`, at: '2026-03-01T10:00:00Z', url: `${SITE}/` });

    await deliver(built, event(1), { remainingMs: 1000 });
    await deliver(built, event(2), { remainingMs: 60_000 });

    expect(seen[0]).toBeLessThanOrEqual(700);
    expect(seen[0]).toBeGreaterThan(500);
    expect(seen[1]).toBeLessThanOrEqual(4000);
    expect(seen[1]).toBeGreaterThan(3500);
  });
});
