import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { generateEvents } from '../../src/generate';
import { FakeSegmentApi } from '../../test/support/segment-server';
import type { BenchResult } from './types';

const INVOCATIONS = 5_000;

/**
 * Handler latency: the Lambda handler invoked once per message, as Segment does, on the embedded SQLite
 * store, writing traits with analytics-node to a local HTTP server that speaks Segment's tracking API.
 */
export async function benchHandler(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-bench-handler-'));
  const api = new FakeSegmentApi();
  try {
    const host = await api.start();
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
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
    return {
      section:
        'Lambda handler, one message per invocation (SQLite store, analytics-node to a local Segment API)',
      rows: [
        { metric: 'handler latency p50', value: at(0.5), unit: 'ms' },
        { metric: 'handler latency p99', value: at(0.99), unit: 'ms', target: '< 20' },
        { metric: 'handler latency max', value: at(1), unit: 'ms' },
        {
          metric: 'identify calls per 1,000 events (one message per invocation)',
          value: Math.round((api.messages().length / events.length) * 1000),
          unit: 'calls',
        },
      ],
      notes: [
        `${events.length.toLocaleString('en-US')} invocations after 50 warm-up invocations; latency includes the HTTP write-back when traits changed`,
      ],
    };
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchHandler().then((result) => console.log(JSON.stringify(result, null, 2)));
}
