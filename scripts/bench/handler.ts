import {
  Analytics,
  type HTTPClient,
  type HTTPClientRequest,
  type HTTPResponse,
} from '@segment/analytics-node';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { generateEvents } from '../../src/generate';
import { KeepAliveHttpClient } from '../../src/writeback/http-client';
import type { BenchResult } from './types';

const INVOCATIONS = 5_000;

/** The local Segment API in its own process (scripts/bench/segment-api-process.ts), and its URL. */
async function startSegmentApiProcess(): Promise<{ child: ChildProcessWithoutNullStreams; host: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'segment-api-process.ts')]);
  const host = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`the Segment API process exited (${code})`)));
  });
  return { child, host };
}

/** Stops the Segment API process; returns the identify calls it received. */
async function stopSegmentApiProcess(child: ChildProcessWithoutNullStreams): Promise<number> {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const last = output.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { messages?: number }).messages ?? 0;
}

/** The `q` quantile of sorted `values`, to two decimals. */
const quantile = (sorted: readonly number[], q: number): number =>
  Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));

/**
 * One bare round trip to the same Segment API process: a one-identify `POST /v1/batch` on node:http with a
 * keep-alive agent (the transport the writer gives analytics-node, src/writeback/http-client.ts), no
 * touchpoint code and no analytics-node. Timed next to each invocation, so both see the same machine load.
 */
async function bareRoundTrip(host: string, index: number, agent: Agent): Promise<number> {
  const body = JSON.stringify({
    batch: [{ type: 'identify', userId: `reference-${index}`, traits: { first_touch_channel: 'Direct' } }],
    writeKey: 'bench',
    sentAt: new Date().toISOString(),
  });
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const request = httpRequest(
      `${host}/v1/batch`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('bench:')}` },
      },
      (response) => {
        response.resume();
        response.on('end', resolve);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * One identify sent by an analytics-node client alone (the writer's settings and transport), flushed at
 * once: what the required client costs before any touchpoint code. analytics-core hands each event to its
 * destination plugin after a `setTimeout(0)` (Node runs it no sooner than 1 ms later; measured here: 1.3 ms
 * p50 from the identify call to the request), so this is the floor of a write-back invocation, above the
 * bare round trip.
 */
async function analyticsNodeAlone(
  client: Analytics,
  index: number,
  transport: TimedTransport,
): Promise<{ total: number; beforeRequest: number }> {
  const started = process.hrtime.bigint();
  client.identify({ userId: `reference-client-${index}`, traits: { first_touch_channel: 'Direct' } });
  await client.flush({ timeout: 2_000 });
  const ms = (to: bigint) => Number(to - started) / 1e6;
  return { total: ms(process.hrtime.bigint()), beforeRequest: ms(transport.lastRequestAt) };
}

/** The writer's transport, noting when its last request left (for the analytics-node alone split). */
class TimedTransport implements HTTPClient {
  lastRequestAt = 0n;
  constructor(private readonly inner: KeepAliveHttpClient) {}
  makeRequest(options: HTTPClientRequest): Promise<HTTPResponse> {
    this.lastRequestAt = process.hrtime.bigint();
    return this.inner.makeRequest(options);
  }
}

/**
 * Handler latency: the Lambda handler invoked once per message, as Segment does, on the embedded SQLite
 * store, writing traits with analytics-node (one client for the container) to a local HTTP server that
 * speaks Segment's tracking API, in another process on 127.0.0.1. Each invocation is followed by one bare
 * round trip to that server, so both see the same machine load.
 */
export async function benchHandler(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-handler-'));
  const { child, host } = await startSegmentApiProcess();
  let identifyCalls = 0;
  try {
    const app = await createApp({
      TOUCHPOINT_STORE: `sqlite:${join(dir, 'touchpoint.db')}`,
      SEGMENT_WRITE_KEY: 'bench',
      SEGMENT_HOST: host,
      TOUCHPOINT_LOG_LEVEL: 'silent',
    });
    const handler = createHandler(async () => app);
    const events = generateEvents({ users: 600, seed: 3, start: new Date('2026-01-01T00:00:00Z') }).slice(
      0,
      INVOCATIONS,
    );
    const context = { getRemainingTimeInMillis: () => 5000 };
    const agent = new Agent({ keepAlive: true });
    const transport = new KeepAliveHttpClient();
    const timed = new TimedTransport(transport);
    const client = new Analytics({
      writeKey: 'bench',
      host,
      flushAt: 500,
      flushInterval: 2_000,
      maxRetries: 1,
      httpRequestTimeout: 2_000,
      maxTotalBackoffDuration: 1,
      httpClient: timed,
    });
    for (const [index, event] of events.slice(0, 50).entries()) {
      await handler({ ...event, messageId: `warm-${String(event.messageId)}` }, context);
      await bareRoundTrip(host, -index, agent);
      await analyticsNodeAlone(client, -index, timed);
    }
    const latencies: number[] = [];
    const withWriteBack: number[] = [];
    const withoutWriteBack: number[] = [];
    const reference: number[] = [];
    const clientAlone: number[] = [];
    const clientBeforeRequest: number[] = [];
    const cpu: number[] = [];
    for (const [index, event] of events.entries()) {
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      const report = await handler(event, context);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      const cpuUsed = process.cpuUsage(cpuBefore);
      cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
      latencies.push(elapsed);
      const wroteBack = 'identifyCalls' in report && report.identifyCalls + report.creditCalls > 0;
      (wroteBack ? withWriteBack : withoutWriteBack).push(elapsed);
      reference.push(await bareRoundTrip(host, index, agent));
      const alone = await analyticsNodeAlone(client, index, timed);
      clientAlone.push(alone.total);
      clientBeforeRequest.push(alone.beforeRequest);
    }
    await app.close();
    await client.closeAndFlush({ timeout: 2_000 });
    transport.destroy();
    agent.destroy();
    identifyCalls = await stopSegmentApiProcess(child);
    for (const list of [
      latencies,
      withWriteBack,
      withoutWriteBack,
      reference,
      clientAlone,
      clientBeforeRequest,
      cpu,
    ])
      list.sort((a, b) => a - b);
    const referenceP99 = quantile(reference, 0.99);
    const clientP99 = quantile(clientAlone, 0.99);
    return {
      section:
        'Lambda handler, one message per invocation (SQLite store, analytics-node to a local Segment API in another process)',
      rows: [
        { metric: 'handler latency p50', value: quantile(latencies, 0.5), unit: 'ms' },
        { metric: 'handler latency p95', value: quantile(latencies, 0.95), unit: 'ms' },
        { metric: 'handler latency p99', value: quantile(latencies, 0.99), unit: 'ms', target: '<= 3' },
        { metric: 'handler latency max', value: quantile(latencies, 1), unit: 'ms' },
        {
          metric: 'handler p99, invocations that wrote back',
          value: quantile(withWriteBack, 0.99),
          unit: 'ms',
        },
        {
          metric: 'handler p99, invocations that did not',
          value: quantile(withoutWriteBack, 0.99),
          unit: 'ms',
        },
        { metric: 'handler CPU time p50 (this process)', value: quantile(cpu, 0.5), unit: 'ms' },
        { metric: 'handler CPU time p99 (this process)', value: quantile(cpu, 0.99), unit: 'ms' },
        { metric: 'bare Segment API round trip p50', value: quantile(reference, 0.5), unit: 'ms' },
        { metric: 'bare Segment API round trip p99', value: referenceP99, unit: 'ms' },
        {
          metric: 'analytics-node alone, one identify flushed, p50',
          value: quantile(clientAlone, 0.5),
          unit: 'ms',
        },
        { metric: 'analytics-node alone, one identify flushed, p99', value: clientP99, unit: 'ms' },
        {
          metric: 'analytics-node alone, identify call to its request leaving, p50',
          value: quantile(clientBeforeRequest, 0.5),
          unit: 'ms',
        },
        {
          metric: 'analytics-node alone, identify call to its request leaving, p99',
          value: quantile(clientBeforeRequest, 0.99),
          unit: 'ms',
        },
        {
          metric: 'handler p99 / bare round trip p99',
          value: Number((quantile(latencies, 0.99) / referenceP99).toFixed(2)),
          unit: 'x',
        },
        {
          metric: 'handler p99, invocations that wrote back / analytics-node alone p99',
          value: Number((quantile(withWriteBack, 0.99) / clientP99).toFixed(2)),
          unit: 'x',
        },
        {
          metric: 'identify calls per 1,000 events (one message per invocation)',
          value: Math.round((identifyCalls / events.length) * 1000),
          unit: 'calls',
        },
      ],
      notes: [
        `${events.length.toLocaleString('en-US')} invocations after 50 warm-up invocations; latency includes the HTTP write-back when traits changed (${withWriteBack.length.toLocaleString('en-US')} of them)`,
        'CPU time = user + system time of the bench process across the invocation (all its threads): what the handler costs, whatever the scheduler does',
        'each invocation is followed by one bare POST /v1/batch (node:http, keep-alive) to the same API process and by one identify sent through an analytics-node client alone: the floors a write-back invocation cannot beat, measured under the same load',
        `load average at the end: ${loadavg()
          .map((value) => value.toFixed(2))
          .join(', ')} on ${cpus().length} cores`,
      ],
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchHandler().then((result) => console.log(JSON.stringify(result, null, 2)));
}
