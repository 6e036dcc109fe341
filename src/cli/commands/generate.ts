import { writeFileSync } from 'node:fs';
import { generateEvents } from '../../generate';
import { sendToTrackingApi } from '../../generate/send';
import { flag, numberFlag, parseArgs } from '../args';
import { createProgress } from '../progress';
import type { Command } from '../types';

export const generateCommand: Command = {
  name: 'generate',
  usage:
    'generate [--users 1000] [--seed 1] [--start 2026-01-01] [--out file.jsonl | --host URL --write-key K --rate 50]',
  summary: 'generate seeded, realistic Segment traffic as JSON lines, or send it to a tracking API',
  async run(args, io) {
    const parsed = parseArgs(args);
    const start = new Date(flag(parsed, 'start', '2026-01-01T00:00:00Z') as string);
    if (Number.isNaN(start.getTime())) throw new Error('--start must be a date, e.g. 2026-01-01');
    const events = generateEvents({
      users: numberFlag(parsed, 'users', 1000),
      seed: numberFlag(parsed, 'seed', 1),
      start,
    });
    const host = flag(parsed, 'host');
    if (host) {
      const writeKey = flag(parsed, 'write-key') ?? io.env.SEGMENT_WRITE_KEY;
      if (!writeKey) throw new Error('--host needs --write-key (or SEGMENT_WRITE_KEY)');
      const progress = createProgress(io.stderr, 'send');
      const sent = await sendToTrackingApi(events, {
        host,
        writeKey,
        rate: numberFlag(parsed, 'rate', 50),
        onProgress: (count) => progress.update(count, count / events.length),
      });
      progress.finish();
      io.stdout.write(`sent ${sent} messages to ${host}\n`);
      return 0;
    }
    const text = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
    const out = flag(parsed, 'out');
    if (out) {
      writeFileSync(out, text);
      io.stderr.write(`wrote ${events.length} messages to ${out}\n`);
    } else {
      io.stdout.write(text);
    }
    return 0;
  },
};
