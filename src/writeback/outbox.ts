import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { identifyParams } from './payload';
import type { IdentifyCall, TraitWriter } from '../pipeline/ports';

/** Writes identify calls as JSON lines to a local file: what runs when no Segment write key is set. */
export class OutboxTraitWriter implements TraitWriter {
  private queue: IdentifyCall[] = [];

  constructor(private readonly path: string) {}

  identify(call: IdentifyCall): void {
    this.queue.push(call);
  }

  async flush(): Promise<{ rejected: IdentifyCall[] }> {
    if (this.queue.length === 0) return { rejected: [] };
    const lines = this.queue
      .map((call) => JSON.stringify({ type: 'identify', ...identifyParams(call) }))
      .join('\n');
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, lines + '\n');
    this.queue = [];
    return { rejected: [] };
  }

  async close(): Promise<void> {}
}
