import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeCommand } from '../../src/cli/commands/invoke';
import { generateEvents } from '../../src/generate';
import { formatFailure, invokeMessages, percentile, stopsTheRun, type LambdaInvoker } from '../../src/invoke';
import { runTouchpoint } from '../support/cli';
import { readBody, startLocalServer, type LocalServer } from '../support/local-server';

/**
 * A local endpoint speaking the Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations):
 * messages whose messageId starts with `boom` fail as a thrown handler error does (200 + X-Amz-Function-Error).
 */
class FakeLambda {
  readonly invocations: Array<{
    functionName: string;
    invocationType: string | undefined;
    logType: string | undefined;
    body: Record<string, unknown>;
  }> = [];
  inFlight = 0;
  maxInFlight = 0;
  private server: LocalServer | undefined;

  async start(): Promise<string> {
    this.server = await startLocalServer(async (request, response) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      const functionName = decodeURIComponent(
        /functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '',
      );
      this.invocations.push({
        functionName,
        invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
        logType: request.headers['x-amz-log-type'] as string | undefined,
        body,
      });
      // a little service time, so invocations overlap and the concurrency bound is observable
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.inFlight--;
      const failing = String(body.messageId).startsWith('boom');
      const log = failing
        ? 'START RequestId: r1\n{"level":"error","msg":"invocation_failed","error":"RetryableError: downstream 503"}\nEND RequestId: r1\n'
        : 'START RequestId: r1\nEND RequestId: r1\n';
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        'x-amz-log-result': Buffer.from(log).toString('base64'),
        ...(failing ? { 'x-amz-function-error': 'Unhandled' } : {}),
      });
      response.end(
        JSON.stringify(
          failing
            ? { errorType: 'RetryableError', errorMessage: 'downstream 503', trace: ['at x'] }
            : { received: 1, processed: 1 },
        ),
      );
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

const message = (messageId: string) => ({
  type: 'track',
  event: 'Viewed',
  messageId,
  anonymousId: 'a1',
  writeKey: 'secret-write-key',
});

describe('invokeMessages', () => {
  const fake = new FakeLambda();
  let lambda: LambdaClient;

  beforeAll(async () => {
    const endpoint = await fake.start();
    lambda = new LambdaClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    lambda.destroy();
    await fake.stop();
  });

  beforeEach(() => {
    fake.invocations.length = 0;
    fake.maxInFlight = 0;
  });

  it('sends one raw message per synchronous invocation with the log tail requested', async () => {
    const summary = await invokeMessages([message('m1'), message('m2')], {
      lambda,
      functionName: 'touchpoint-fn',
      concurrency: 1,
    });

    expect(summary).toMatchObject({ sent: 2, ok: 2, failed: 0, failures: [] });
    expect(fake.invocations.map((call) => call.body)).toEqual([message('m1'), message('m2')]);
    expect(fake.invocations[0]).toMatchObject({
      functionName: 'touchpoint-fn',
      invocationType: 'RequestResponse',
      logType: 'Tail',
    });
  });

  it('keeps at most `concurrency` invocations in flight', async () => {
    const messages = Array.from({ length: 40 }, (_, i) => message(`m${i}`));

    const summary = await invokeMessages(messages, { lambda, functionName: 'fn', concurrency: 4 });

    expect(summary.sent).toBe(40);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
    expect(fake.maxInFlight).toBeGreaterThan(1);
  });

  it('counts a FunctionError as a failure even with status 200, with the decoded log tail', async () => {
    const seen: string[] = [];

    const summary = await invokeMessages([message('m1'), message('boom-1'), message('m2')], {
      lambda,
      functionName: 'fn',
      onFailure: (failure) => seen.push(failure.messageId ?? ''),
    });

    expect(summary).toMatchObject({ sent: 3, ok: 2, failed: 1 });
    expect(seen).toEqual(['boom-1']);
    const [failure] = summary.failures;
    expect(failure).toMatchObject({
      index: 1,
      messageId: 'boom-1',
      reason: 'FunctionError Unhandled: RetryableError: downstream 503',
    });
    expect(failure?.log).toContain('invocation_failed');
    const printed = formatFailure(failure!);
    expect(printed).toContain('  | {"level":"error","msg":"invocation_failed"');
    expect(printed).not.toContain('secret-write-key');
    expect(printed).not.toContain('"anonymousId"');
  });

  it('counts an SDK error (no such endpoint) as a failure instead of throwing', async () => {
    const dead = new LambdaClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });

    const summary = await invokeMessages([message('m1')], { lambda: dead, functionName: 'fn' });
    dead.destroy();

    expect(summary).toMatchObject({ sent: 1, ok: 0, failed: 1 });
    expect(summary.failures[0]?.log).toBeNull();
  });

  it('reports latency percentiles from the measured round trips', async () => {
    const durations = [10, 20, 30, 40, 1000];
    // with one in flight, the clock is read at each start and end in turn
    const readings = durations.flatMap((duration, i) => [i * 10_000, i * 10_000 + duration]);
    let reading = 0;
    const now = () => readings[reading++] ?? 0;

    const summary = await invokeMessages(
      durations.map((_, i) => message(`m${i}`)),
      { lambda, functionName: 'fn', concurrency: 1, now },
    );

    expect(summary.latencyMs).toEqual({ p50: 30, p95: 1000, p99: 1000, max: 1000 });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('touchpoint invoke', () => {
  const fake = new FakeLambda();
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-invoke-'));

  beforeAll(async () => {
    const endpoint = await fake.start();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_ACCESS_KEY_ID: 't',
      AWS_SECRET_ACCESS_KEY: 't',
    });
  });

  afterAll(async () => {
    process.env = saved;
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake.invocations.length = 0;
  });

  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await invokeCommand.run(args, {
      argv: args,
      env: {},
      stdin: Readable.from(['']),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  }

  it('invokes once per line of a JSONL file, prints failures and the summary, and exits 1 on a failure', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(
      file,
      [message('m1'), message('boom-2'), message('m3')].map((m) => JSON.stringify(m)).join('\n') + '\n',
    );

    const result = await run([
      '--function',
      'arn:aws:lambda:eu-west-1:123456789012:function:tp',
      '--file',
      file,
      '--region',
      'eu-west-1',
    ]);

    expect(result.code).toBe(1);
    expect(fake.invocations).toHaveLength(3);
    expect(fake.invocations[0]?.functionName).toBe('arn:aws:lambda:eu-west-1:123456789012:function:tp');
    expect(result.stdout).toMatch(
      /^sent 3, ok 2, failed 1\nlatency ms: p50 [\d.]+, p95 [\d.]+, p99 [\d.]+, max [\d.]+\n$/,
    );
    expect(result.stderr).toContain('invocation #1 (messageId boom-2) failed: FunctionError Unhandled');
    expect(result.stderr).not.toContain('secret-write-key');
  });

  it('generates seeded traffic with --users and exits 0 when every invocation succeeds', async () => {
    const expected = generateEvents({ users: 2, seed: 3, start: new Date('2026-01-01T00:00:00Z') });

    const result = await run([
      '--function',
      'tp',
      '--users',
      '2',
      '--seed',
      '3',
      '--region',
      'eu-west-1',
      '--concurrency',
      '4',
    ]);

    expect(result.code).toBe(0);
    expect(fake.invocations.map((call) => call.body.messageId).sort()).toEqual(
      expected.map((m) => m.messageId).sort(),
    );
    expect(result.stdout).toContain(`sent ${expected.length}, ok ${expected.length}, failed 0`);
  });

  it('requires --function', async () => {
    await expect(run(['--users', '1'])).rejects.toThrow('--function');
  });
});

describe('invokeMessages on a configuration or credential error', () => {
  const noCredentials = () =>
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

  it('stops at the first one: throws it once, sends nothing more, and reports no per-message failure', async () => {
    let sends = 0;
    const lambda: LambdaInvoker = {
      send: async () => {
        sends++;
        throw noCredentials();
      },
    };
    const failures: unknown[] = [];
    const messages = Array.from({ length: 32 }, (_, i) => message(`m${i}`));

    await expect(
      invokeMessages(messages, {
        lambda,
        functionName: 'fn',
        concurrency: 8,
        onFailure: (f) => failures.push(f),
      }),
    ).rejects.toMatchObject({ name: 'CredentialsProviderError' });
    expect(sends).toBeLessThanOrEqual(8);
    expect(failures).toEqual([]);
  });

  it.each<[string, unknown, boolean]>([
    ['the SDK without a region', new Error('Region is missing'), true],
    ['no credentials', noCredentials(), true],
    ['no permission', Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }), true],
    [
      'no such function',
      Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }),
      true,
    ],
    [
      'bad credentials',
      Object.assign(new Error('invalid token'), { name: 'UnrecognizedClientException' }),
      true,
    ],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }), false],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      false,
    ],
    ['a thrown string', 'boom', false],
  ])('stops the run for %s', (_case, error, stops) => {
    expect(stopsTheRun(error)).toBe(stops);
  });
});

describe('touchpoint invoke without a region or credentials', () => {
  const fake = new FakeLambda();
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-invoke-config-'));

  beforeAll(async () => {
    const endpoint = await fake.start();
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      // Nothing from the machine running the tests: no shared config or credentials, no instance metadata.
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  afterAll(async () => {
    process.env = saved;
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake.invocations.length = 0;
  });

  it('prints one line naming AWS_REGION (and --region), no latency figures, and exits 1', async () => {
    const { code, stdout, stderr } = await runTouchpoint(['invoke', '--function', 'fn', '--users', '5']);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'touchpoint invoke: no AWS region: pass --region, or set AWS_REGION (or give the AWS_PROFILE a region in ~/.aws/config)\n',
    );
    expect(fake.invocations).toHaveLength(0);
  });

  it('prints one line naming the credentials to set when there are none', async () => {
    const { code, stdout, stderr } = await runTouchpoint([
      'invoke',
      '--function',
      'fn',
      '--users',
      '5',
      '--region',
      'eu-west-1',
    ]);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^touchpoint invoke: no AWS credentials .*AWS_PROFILE.*AWS_ACCESS_KEY_ID/);
    expect(fake.invocations).toHaveLength(0);
  });
});
