import { loadConfig } from '../../config';
import { openJsonLines } from '../../io/jsonl';
import { createPipeline } from '../../pipeline';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW_SIZE, formatReport, replayLines } from '../../replay';
import { numberFlag, parseArgs } from '../args';
import { createProgress } from '../progress';
import type { Command } from '../types';

export const replayCommand: Command = {
  name: 'replay',
  usage: 'replay <file.jsonl[.gz]|-> [--chunk 50000] [--window 100000]',
  summary: 'process Segment messages (JSON lines) through the same pipeline as the Lambda handler',
  async run(args, io) {
    const parsed = parseArgs(args);
    const path = parsed.positional[0];
    if (!path) throw new Error('name a JSONL file (or - for stdin)');
    const config = loadConfig(io.env);
    const pipeline = await createPipeline(config);
    const source = openJsonLines(path, io.stdin);
    const progress = createProgress(io.stderr, 'replay');
    const started = Date.now();
    try {
      const report = await replayLines(pipeline, source.batches, {
        chunkSize: numberFlag(parsed, 'chunk', DEFAULT_CHUNK_SIZE),
        windowSize: numberFlag(parsed, 'window', DEFAULT_WINDOW_SIZE),
        onProgress: (applied, phase) => {
          const { read, total: size } = source.progress();
          progress.update(applied, size ? read / size : null, phase);
        },
      });
      progress.finish();
      io.stdout.write(formatReport(report, (Date.now() - started) / 1000) + '\n');
      io.stdout.write(`peak memory    ${Math.round(process.resourceUsage().maxRSS / 1024)} MB RSS\n`);
      if (!config.segment.writeKey)
        io.stdout.write(`traits written to ${config.segment.outboxPath} (no SEGMENT_WRITE_KEY set)\n`);
      return 0;
    } finally {
      await pipeline.writer.close();
      await pipeline.store.close();
    }
  },
};
