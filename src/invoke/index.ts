import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { FAILURE_TABLE } from '../errors';

/**
 * Drives a deployed touchpoint Lambda the way Segment's Lambda destination does: one raw message per
 * synchronous invocation (RequestResponse), several in flight at once, with the tail of the function's
 * log for failures. Used by `touchpoint invoke` to smoke-test and load-test a deployment.
 */

/** The part of LambdaClient this needs (a real client, or a fake in tests). */
export interface LambdaInvoker {
  send(command: InvokeCommand): Promise<InvokeCommandOutput>;
}

/** Default number of invocations in flight. */
export const DEFAULT_CONCURRENCY = 8;

export interface InvokeOptions {
  lambda: LambdaInvoker;
  /** function name, ARN or partial ARN (with a qualifier if wanted) */
  functionName: string;
  /** invocations in flight at once; default DEFAULT_CONCURRENCY */
  concurrency?: number;
  /** called once per failed invocation, as it happens */
  onFailure?: (failure: InvocationFailure) => void;
  /** called after every invocation with the count so far */
  onProgress?: (done: number) => void;
  now?: () => number;
}

/** One failed invocation: what Lambda said and the tail of the function's log (never the event). */
export interface InvocationFailure {
  /** position of the message in the input, from 0 */
  index: number;
  messageId: string | null;
  /** `FunctionError` (Unhandled/Handled), the HTTP status, or the SDK error */
  reason: string;
  /** decoded `LogResult` (the last 4 KB of the invocation's log), when Lambda returned one */
  log: string | null;
}

export interface InvokeSummary {
  sent: number;
  ok: number;
  failed: number;
  /** client-side round trip per invocation, in ms (nearest-rank percentiles) */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  failures: InvocationFailure[];
}

/**
 * True for an SDK error that every further invocation would repeat, because it is about the caller,
 * not the message: no region, no or bad credentials, no permission, no such function (FAILURE_TABLE's
 * `configuration` rows). Most never left the machine; counting 32 of them and their "latency" says nothing.
 */
export function stopsTheRun(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  // The SDK's client-side configuration error has no name of its own.
  if (typeof message === 'string' && /^Region is missing/i.test(message)) return true;
  return typeof name === 'string' && FAILURE_TABLE.names[name] === 'configuration';
}

/**
 * Invokes the function once per message with bounded concurrency. A response with `FunctionError` is a
 * failure even though Lambda answers 200 (that is how a thrown handler error comes back); so is any status
 * other than 200 and any SDK error. Messages are read lazily, so a large file is never held in memory.
 * @throws the first SDK error that `stopsTheRun` (no region, bad credentials, ...), once the invocations
 *   in flight have ended and before any other message is sent; such errors are not passed to onFailure
 */
export async function invokeMessages(
  messages: Iterable<unknown> | AsyncIterable<unknown>,
  options: InvokeOptions,
): Promise<InvokeSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const now = options.now ?? (() => performance.now());
  const latencies: number[] = [];
  const failures: InvocationFailure[] = [];
  const iterator = toAsyncIterator(messages);
  let next = 0;
  let done = 0;
  let stopped: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (!stopped) {
      const item = await iterator.next();
      if (item.done || stopped) return;
      const index = next++;
      const message = item.value;
      const started = now();
      const failure = await invokeOne(options, message, index);
      if (failure && 'stop' in failure) {
        stopped ??= { error: failure.stop };
        return;
      }
      latencies.push(now() - started);
      if (failure) {
        failures.push(failure);
        options.onFailure?.(failure);
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (stopped) throw stopped.error;

  failures.sort((a, b) => a.index - b.index);
  return {
    sent: latencies.length,
    ok: latencies.length - failures.length,
    failed: failures.length,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.length > 0 ? Math.max(...latencies) : 0,
    },
    failures,
  };
}

async function invokeOne(
  options: InvokeOptions,
  message: unknown,
  index: number,
): Promise<InvocationFailure | { stop: unknown } | null> {
  const messageId = messageIdOf(message);
  let output: InvokeCommandOutput;
  try {
    output = await options.lambda.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: Buffer.from(JSON.stringify(message)),
      }),
    );
  } catch (error) {
    if (stopsTheRun(error)) return { stop: error };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { index, messageId, reason, log: null };
  }
  const log = output.LogResult ? Buffer.from(output.LogResult, 'base64').toString('utf8') : null;
  if (output.FunctionError) {
    return {
      index,
      messageId,
      reason: `FunctionError ${output.FunctionError}: ${errorSummary(output.Payload)}`,
      log,
    };
  }
  if (output.StatusCode !== 200)
    return { index, messageId, reason: `status ${String(output.StatusCode)}`, log };
  return null;
}

/** `errorType: errorMessage` from a Lambda error payload, without the stack. */
function errorSummary(payload: Uint8Array | undefined): string {
  if (!payload) return 'no payload';
  const text = Buffer.from(payload).toString('utf8');
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    return `${String(parsed.errorType ?? 'Error')}: ${String(parsed.errorMessage ?? '')}`;
  } catch {
    return text.slice(0, 500);
  }
}

function messageIdOf(message: unknown): string | null {
  if (message && typeof message === 'object' && 'messageId' in message) {
    const { messageId } = message as { messageId: unknown };
    return typeof messageId === 'string' ? messageId : null;
  }
  return null;
}

/** Nearest-rank percentile of `values` (0 for none), rounded to 0.1 ms. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round((sorted[rank - 1] as number) * 10) / 10;
}

/** One line per figure, for the CLI. */
export function formatSummary(summary: InvokeSummary): string {
  const l = summary.latencyMs;
  return (
    `sent ${summary.sent}, ok ${summary.ok}, failed ${summary.failed}\n` +
    `latency ms: p50 ${l.p50}, p95 ${l.p95}, p99 ${l.p99}, max ${Math.round(l.max * 10) / 10}\n`
  );
}

/** A failure as printed: the reason, then the function's log tail indented (the event is never printed). */
export function formatFailure(failure: InvocationFailure): string {
  const head = `invocation #${failure.index} (messageId ${failure.messageId ?? 'none'}) failed: ${failure.reason}\n`;
  if (!failure.log) return head;
  return head + failure.log.trimEnd().replace(/^/gm, '  | ') + '\n';
}

/** Parses JSON lines into messages, naming the line of a bad one. */
export async function* parseJsonLines(lines: AsyncIterable<string>): AsyncIterable<unknown> {
  let number = 0;
  for await (const line of lines) {
    number++;
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      throw new Error(`line ${number} is not JSON`);
    }
  }
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  const sync = items[Symbol.iterator]();
  return { next: async () => sync.next() };
}
