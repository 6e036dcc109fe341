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
import { flag, numberFlag, parseArgs } from '../args';
import { createProgress } from '../progress';
import type { Command } from '../types';

export const invokeCommand: Command = {
  name: 'invoke',
  usage: `invoke --function <name|arn> [--file events.jsonl | --users 10 --seed 1] [--concurrency ${DEFAULT_CONCURRENCY}] [--region r]`,
  summary:
    'send messages to a deployed function one per invocation, as Segment does; print failures and latency',
  async run(args, io) {
    const parsed = parseArgs(args);
    const functionName = flag(parsed, 'function');
    if (!functionName) throw new Error('--function <name|arn> is required');
    const file = flag(parsed, 'file');
    const messages = file
      ? parseJsonLines(openJsonLines(file, io.stdin).lines)
      : generateEvents({
          users: numberFlag(parsed, 'users', 10),
          seed: numberFlag(parsed, 'seed', 1),
          start: new Date(flag(parsed, 'start', '2026-01-01T00:00:00Z') as string),
        });
    const region = flag(parsed, 'region');
    const lambda = new LambdaClient(region ? { region } : {});
    const progress = createProgress(io.stderr, 'invoke');
    try {
      const summary = await invokeMessages(messages, {
        lambda,
        functionName,
        concurrency: numberFlag(parsed, 'concurrency', DEFAULT_CONCURRENCY),
        onFailure: (failure) => io.stderr.write(formatFailure(failure)),
        onProgress: (done) => progress.update(done, null),
      });
      progress.finish();
      io.stdout.write(formatSummary(summary));
      return summary.failed > 0 || summary.sent === 0 ? 1 : 0;
    } finally {
      lambda.destroy();
    }
  },
};
