import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { TRAFFIC_PROFILES, trafficProfileNamed } from '../../generate/profiles';
import { sendToTrackingApi } from '../../generate/send';
import { generateEventStream } from '../../generate/stream';
import { writeJsonLines } from '../../io/jsonl';
import { UsageError } from '../args';
import { createProgress } from '../progress';
import { defineCommand } from '../types';

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'generate seeded, realistic Segment traffic as JSON lines, or send it to a tracking API',
  positionals: [],
  flags: {
    users: { type: 'number', min: 1, max: 1_000_000, default: 1000, help: 'visitors to simulate' },
    profile: {
      type: 'string',
      placeholder: 'name',
      default: 'shop',
      help: `the kind of traffic: ${Object.keys(TRAFFIC_PROFILES).join(' or ')} (the AWS Segment + Personalize workshop's funnels)`,
    },
    seed: { type: 'number', min: 0, max: 4_294_967_295, default: 1, help: 'seed of the generator' },
    start: {
      type: 'string',
      placeholder: 'date',
      default: '2026-01-01T00:00:00Z',
      help: 'when the traffic starts, ISO-8601',
    },
    out: { type: 'string', placeholder: 'file.jsonl', help: 'write the messages here instead of stdout' },
    host: {
      type: 'string',
      placeholder: 'url',
      help: 'send the messages to this tracking API (POST /v1/batch) instead',
    },
    'write-key': {
      type: 'string',
      placeholder: 'key',
      help: 'write key for --host; SEGMENT_WRITE_KEY when not given',
    },
    rate: {
      type: 'number',
      min: 0.1,
      max: 10_000,
      integer: false,
      default: 50,
      help: 'messages per second sent to --host',
    },
  },
  async run({ flags }, io) {
    const start = new Date(flags.start);
    if (Number.isNaN(start.getTime()))
      throw new UsageError(`--start must be a date, e.g. 2026-01-01, got "${flags.start}"`);
    const profile = trafficProfileNamed(flags.profile);
    if (!profile)
      throw new UsageError(
        `unknown --profile "${flags.profile.slice(0, 40)}": use ${Object.keys(TRAFFIC_PROFILES).join(' or ')}`,
      );
    if (flags.host && flags.out) throw new UsageError('give --out or --host, not both');
    const writeKey = flags['write-key'] ?? io.env.SEGMENT_WRITE_KEY;
    if (flags.host && !writeKey) throw new UsageError('--host needs --write-key (or SEGMENT_WRITE_KEY)');
    // Streamed, sorted with bounded memory: a million visitors never sit in memory at once.
    const events = generateEventStream({ users: flags.users, seed: flags.seed, start }, { profile });
    if (flags.host && writeKey) {
      const progress = createProgress(io.stderr, 'send');
      const sent = await sendToTrackingApi(events, {
        host: flags.host,
        writeKey,
        rate: flags.rate,
        onProgress: (count) => progress.update(count, null),
      });
      progress.finish();
      io.stdout.write(`sent ${sent} messages to ${flags.host}\n`);
      return 0;
    }
    if (flags.out) {
      const file = createWriteStream(flags.out);
      const written = await writeJsonLines(events, file);
      file.end();
      await finished(file);
      io.stderr.write(`wrote ${written} messages to ${flags.out}\n`);
    } else {
      await writeJsonLines(events, io.stdout);
    }
    return 0;
  },
});
