import { LambdaClient } from '@aws-sdk/client-lambda';
import { generateEvents } from '../../generate';
import { openJsonLines } from '../../io/jsonl';
import {
  DEFAULT_CONCURRENCY,
  formatFailure,
  formatSummary,
  invokeMessages,
  parseJsonLines,
} from '../../invoke';
import { UsageError } from '../args';
import { createProgress } from '../progress';
import { defineCommand } from '../types';

/** Visitors generated when neither --file nor --users is given. */
const DEFAULT_INVOKE_USERS = 10;

export const invokeCommand = defineCommand({
  name: 'invoke',
  summary:
    'send messages to a deployed function one per invocation, as Segment does; print failures and latency',
  positionals: [],
  flags: {
    function: {
      type: 'string',
      placeholder: 'name|arn',
      required: true,
      help: 'the deployed function (its name, ARN or partial ARN, with a qualifier if wanted)',
    },
    file: {
      type: 'string',
      placeholder: 'file.jsonl',
      help: 'send these messages (JSON lines, gzip or not)',
    },
    users: {
      type: 'number',
      min: 1,
      max: 100_000,
      help: `visitors whose generated traffic is sent when there is no --file; ${DEFAULT_INVOKE_USERS} when not given`,
    },
    seed: { type: 'number', min: 0, max: 4_294_967_295, default: 1, help: 'seed of the generator' },
    start: {
      type: 'string',
      placeholder: 'date',
      default: '2026-01-01T00:00:00Z',
      help: 'when the generated traffic starts, ISO-8601',
    },
    concurrency: {
      type: 'number',
      min: 1,
      max: 256,
      default: DEFAULT_CONCURRENCY,
      help: 'invocations in flight at once',
    },
    region: {
      type: 'string',
      placeholder: 'region',
      help: "the function's region; AWS_REGION when not given",
    },
  },
  async run({ flags }, io) {
    if (flags.file && flags.users !== undefined) throw new UsageError('give --file or --users, not both');
    const start = new Date(flags.start);
    if (Number.isNaN(start.getTime()))
      throw new UsageError(`--start must be a date, e.g. 2026-01-01, got "${flags.start}"`);
    const messages = flags.file
      ? parseJsonLines(openJsonLines(flags.file, io.stdin).lines)
      : generateEvents({ users: flags.users ?? DEFAULT_INVOKE_USERS, seed: flags.seed, start });
    const lambda = new LambdaClient(flags.region ? { region: flags.region } : {});
    const progress = createProgress(io.stderr, 'invoke');
    try {
      // A configuration or credential error stops the run at once (invokeMessages throws it), so it
      // is printed once, by the CLI, instead of once per message and a latency summary of calls never made.
      const summary = await invokeMessages(messages, {
        lambda,
        functionName: flags.function,
        concurrency: flags.concurrency,
        onFailure: (failure) => io.stderr.write(formatFailure(failure)),
        onProgress: (done) => progress.update(done, null),
      });
      progress.finish();
      io.stdout.write(formatSummary(summary));
      return summary.failed > 0 || summary.sent === 0 ? 1 : 0;
    } finally {
      progress.finish();
      lambda.destroy();
    }
  },
});
