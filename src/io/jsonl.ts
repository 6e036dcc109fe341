import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A source of JSON lines: a path (`.gz` is decompressed) or `-` for the given stdin. */
export interface JsonLinesSource {
  /** the non-blank lines, a batch per block read: what a bulk reader wants (no await per line) */
  batches: AsyncIterable<string[]>;
  /** the same lines one by one (read one of the two, not both) */
  lines: AsyncIterable<string>;
  /** bytes read so far and the total, when the source is a file (for progress) */
  progress: () => { read: number; total: number | null };
}

/** Bytes read at a time from a file. */
const BLOCK = 1 << 20;

export function openJsonLines(path: string, stdin: NodeJS.ReadableStream): JsonLinesSource {
  if (path === '-') {
    const batches = lineBatches(stdin as AsyncIterable<Buffer | string>, 'stdin');
    return { batches, lines: oneByOne(batches), progress: () => ({ read: 0, total: null }) };
  }
  const total = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: BLOCK });
  let read = 0;
  const counted = (async function* (): AsyncIterable<Buffer> {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      read += chunk.length; // file bytes, so compressed ones for a .gz
      yield chunk;
    }
  })();
  const input: AsyncIterable<Buffer | string> = path.endsWith('.gz')
    ? pipeline(counted, createGunzip(), () => undefined) // errors surface in the iteration
    : counted;
  const batches = lineBatches(input, path);
  return { batches, lines: oneByOne(batches), progress: () => ({ read, total }) };
}

/**
 * Splits a byte or text stream into lines (LF or CRLF; UTF-8 split across blocks is decoded whole) and
 * yields the non-blank ones a block at a time. A read error (a truncated .gz, say) names its source.
 */
async function* lineBatches(input: AsyncIterable<Buffer | string>, source: string): AsyncIterable<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of input) {
      const lines = (rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
      rest = lines.pop() ?? '';
      const batch = nonBlank(lines);
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    const message = (error as { message?: unknown } | null)?.message;
    throw new Error(`reading ${source}: ${typeof message === 'string' ? message : String(error)}`, {
      cause: error,
    });
  }
  const last = nonBlank([rest + decoder.end()]);
  if (last.length > 0) yield last;
}

function nonBlank(lines: string[]): string[] {
  const kept: string[] = [];
  for (const line of lines) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() !== '') kept.push(text);
  }
  return kept;
}

async function* oneByOne(batches: AsyncIterable<string[]>): AsyncIterable<string> {
  for await (const batch of batches) yield* batch;
}
