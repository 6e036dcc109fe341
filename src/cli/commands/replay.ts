import { createApp } from '../../app';
import { openJsonLines } from '../../io/jsonl';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW_SIZE, formatReport, replayLines } from '../../replay';
import { createProgress } from '../progress';
import { commandLogger } from '../logging';
import { defineCommand } from '../types';

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'process Segment messages (JSON lines) through the same pipeline as the Lambda handler',
  positionals: [
    {
      name: 'file',
      help: 'a JSONL file, gzip-compressed or not (detected from its content), or - for stdin',
    },
  ],
  flags: {
    chunk: {
      type: 'number',
      min: 1,
      max: 1_000_000,
      default: DEFAULT_CHUNK_SIZE,
      help: 'messages applied per store transaction',
    },
    window: {
      type: 'number',
      min: 1,
      max: 10_000_000,
      default: DEFAULT_WINDOW_SIZE,
      help: 'messages whose tracking and write-back are done together (one identify per profile per window)',
    },
  },
  async run({ flags, args }, io) {
    // Opened first: a missing file fails before the store is opened (or created).
    const source = openJsonLines(args.file, io.stdin);
    const app = await createApp(io.env, { log: commandLogger(io) });
    const { segment } = app.config;
    const progress = createProgress(io.stderr, 'replay');
    const started = Date.now();
    try {
      const report = await replayLines(app.engine, source.batches, {
        chunkSize: flags.chunk,
        windowSize: flags.window,
        onProgress: (applied, phase) => {
          const { read, total: size } = source.progress();
          progress.update(applied, size ? read / size : null, phase);
        },
      });
      progress.finish();
      io.stdout.write(formatReport(report, (Date.now() - started) / 1000) + '\n');
      io.stdout.write(`peak memory    ${Math.round(process.resourceUsage().maxRSS / 1024)} MB RSS\n`);
      if (!segment.writeKey)
        io.stdout.write(
          `traits written to ${segment.outboxPath} (neither SEGMENT_WRITE_KEY nor SEGMENT_WRITE_KEY_PARAMETER set)\n`,
        );
      return 0;
    } finally {
      await app.close();
    }
  },
});
