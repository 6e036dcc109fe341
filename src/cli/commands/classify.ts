import { createInterface } from 'node:readline';
import { classify } from '../../classify';
import { loadConfig } from '../../config';
import { parseArgs } from '../args';
import type { Command } from '../types';

export const classifyCommand: Command = {
  name: 'classify',
  usage: 'classify [--explain] < lines.jsonl',
  summary: 'classify {"page_url","referrer","page_host"?} JSON lines from stdin, one JSON result per line',
  async run(args, io) {
    const explain = parseArgs(args, ['explain']).flags.has('explain');
    const options = { ...loadConfig(io.env).classifier, explain };
    let failures = 0;
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      let input: { page_url?: unknown; referrer?: unknown; page_host?: unknown };
      try {
        input = JSON.parse(line) as typeof input;
      } catch {
        failures++;
        io.stdout.write(JSON.stringify({ error: 'not JSON' }) + '\n');
        continue;
      }
      const {
        signal,
        explain: why,
        ...result
      } = classify(
        { pageUrl: text(input.page_url), referrer: text(input.referrer), pageHost: text(input.page_host) },
        options,
      );
      io.stdout.write(JSON.stringify(explain ? { ...result, signal, explain: why } : result) + '\n');
    }
    return failures > 0 ? 1 : 0;
  },
};

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
