import { createApp, type Env } from '../../app';
import { csvRecords } from '../../io/csv';
import { openJsonLines, openText } from '../../io/jsonl';
import { createKinesisClient, KinesisPublisher } from '../../kinesis';
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_WINDOW_SIZE,
  formatReport,
  csvMessages,
  formatStreamSummary,
  parseColumnMapping,
  replayLines,
  replayMessages,
  replayToStream,
  type ColumnMapping,
} from '../../replay';
import { UsageError } from '../args';
import { createProgress } from '../progress';
import { commandLogger } from '../logging';
import { defineCommand } from '../types';

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'process Segment messages (JSON lines or CSV) through the same pipeline as the Lambda handler',
  positionals: [
    {
      name: 'file',
      help: 'a JSONL file (or CSV, see --format), gzip-compressed or not (detected from its content), or - for stdin',
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
    format: {
      type: 'string',
      placeholder: 'jsonl|csv',
      help: 'the input format; csv when the file name ends in .csv or .csv.gz, else jsonl',
    },
    columns: {
      type: 'string',
      placeholder: 'mapping',
      help: 'CSV: where columns go, e.g. id=messageId,url=context.page.url,revenue=properties.revenue:number,x=- (types: string, number, boolean, json; - drops); other columns go to the path their header names',
    },
    to: {
      type: 'string',
      placeholder: 'kinesis:stream',
      help: 'publish the messages to this Kinesis stream (name or ARN, in AWS_REGION) instead: the deployed consumer processes them',
    },
  },
  async run({ flags, args }, io) {
    const stream = flags.to === undefined ? undefined : streamOf(flags.to);
    const csv = csvMappingOf(flags.format, flags.columns, args.file);
    if (csv && stream !== undefined)
      throw new UsageError('--to publishes JSON lines; replay a CSV file into the local store, not a stream');
    // Opened first: a missing file fails before the store is opened (or created).
    const source = csv ? openText(args.file, io.stdin) : openJsonLines(args.file, io.stdin);
    if (stream !== undefined && 'batches' in source) return publishToStream(stream, source, io);
    const app = await createApp(io.env, { log: commandLogger(io) });
    const { segment } = app.config;
    const progress = createProgress(io.stderr, 'replay');
    const started = Date.now();
    try {
      const options = {
        chunkSize: flags.chunk,
        windowSize: flags.window,
        onProgress: (applied: number, phase?: string) => {
          const { read, total: size } = source.progress();
          progress.update(applied, size ? read / size : null, phase);
        },
      };
      const report =
        'batches' in source
          ? await replayLines(app.engine, source.batches, options)
          : await replayMessages(
              app.engine,
              csvMessages(csvRecords(source.text), csv, { timestamps: app.pipeline.settings.timestamps }),
              options,
            );
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

/** The column mapping when the input is CSV (by `--format`, else by the file name), else undefined. */
function csvMappingOf(
  format: string | undefined,
  columns: string | undefined,
  file: string,
): ColumnMapping | undefined {
  if (format !== undefined && format !== 'csv' && format !== 'jsonl')
    throw new UsageError(`--format ${format}: expected jsonl or csv`);
  const isCsv = format === undefined ? /\.csv(\.gz)?$/i.test(file) : format === 'csv';
  if (!isCsv) {
    if (columns !== undefined) throw new UsageError('--columns maps CSV columns; the input is JSON lines');
    return undefined;
  }
  try {
    return parseColumnMapping(columns ?? '');
  } catch (error) {
    throw new UsageError(`--columns ${(error as Error).message}`);
  }
}

/** The stream named by `--to kinesis:<stream>`. */
function streamOf(to: string): string {
  const match = /^kinesis:(.+)$/.exec(to);
  if (!match?.[1]) throw new UsageError(`--to ${to}: expected kinesis:<stream name or ARN>`);
  return match[1];
}

/** `replay --to kinesis:<stream>`: PutRecords instead of the local pipeline, with a progress bar. */
async function publishToStream(
  stream: string,
  source: ReturnType<typeof openJsonLines>,
  io: {
    env: Env;
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown; isTTY?: boolean };
  },
): Promise<number> {
  // The region is the stream ARN's when given one, else the SDK's (AWS_REGION, the profile).
  const region = stream.startsWith('arn:')
    ? stream.split(':')[3]
    : (io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION);
  const endpoint = io.env.AWS_ENDPOINT_URL_KINESIS;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = io.env;
  // Keys in the command's environment are used as given; otherwise the SDK's chain (profile, SSO, role).
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
  const client = createKinesisClient({
    region: region ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const progress = createProgress(io.stderr, `replay -> kinesis:${stream}`);
  const started = Date.now();
  try {
    const summary = await replayToStream(source.batches, new KinesisPublisher({ client, stream }), (done) => {
      const { read, total } = source.progress();
      progress.update(done.published, total ? read / total : null);
    });
    progress.finish();
    io.stdout.write(formatStreamSummary(summary, stream, (Date.now() - started) / 1000) + '\n');
    return 0;
  } finally {
    client.destroy();
  }
}
