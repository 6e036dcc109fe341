import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { identifyParams, trackParams } from './payload';
import type { IdentifyCall, TrackCall, TraitWriter } from '../pipeline/ports';

/**
 * Writes identify and track calls as JSON lines to a local file, in the order they were queued: what
 * runs when no Segment write key is set.
 */
export class OutboxTraitWriter implements TraitWriter {
  private queue: Array<Record<string, unknown>> = [];

  constructor(private readonly path: string) {}

  identify(call: IdentifyCall): void {
    this.queue.push({ type: 'identify', ...identifyParams(call) });
  }

  track(call: TrackCall): void {
    this.queue.push({ type: 'track', ...trackParams(call) });
  }

  async flush(): Promise<{ rejected: never[] }> {
    if (this.queue.length === 0) return { rejected: [] };
    const lines = this.queue.map((message) => JSON.stringify(message)).join('\n');
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, lines + '\n');
    this.queue = [];
    return { rejected: [] };
  }

  async close(): Promise<void> {}
}
