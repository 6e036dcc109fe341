import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { generateEvents } from '../../src/generate';
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

/**
 * Handler latency: the Lambda handler invoked once per message, as Segment does, on the embedded SQLite
 * store, writing traits with analytics-node (one client for the container) to a local HTTP server that
 * speaks Segment's tracking API, in another process on 127.0.0.1.
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
    for (const event of events.slice(0, 50))
      await handler({ ...event, messageId: `warm-${String(event.messageId)}` }, context);
    const latencies: number[] = [];
    for (const event of events) {
      const started = process.hrtime.bigint();
      await handler(event, context);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await app.close();
    identifyCalls = await stopSegmentApiProcess(child);
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
    return {
      section:
        'Lambda handler, one message per invocation (SQLite store, analytics-node to a local Segment API in another process)',
      rows: [
        { metric: 'handler latency p50', value: at(0.5), unit: 'ms' },
        { metric: 'handler latency p99', value: at(0.99), unit: 'ms', target: '<= 3' },
        { metric: 'handler latency max', value: at(1), unit: 'ms' },
        {
          metric: 'identify calls per 1,000 events (one message per invocation)',
          value: Math.round((identifyCalls / events.length) * 1000),
          unit: 'calls',
        },
      ],
      notes: [
        `${events.length.toLocaleString('en-US')} invocations after 50 warm-up invocations; latency includes the HTTP write-back when traits changed`,
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
