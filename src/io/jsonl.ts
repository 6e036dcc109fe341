import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * A source of JSON lines: a path or `-` for the given stdin. Gzip is recognised by its magic bytes
 * (1f 8b), not by a `.gz` name, so `zcat`-less pipes and misnamed files read alike.
 */
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

/**
 * Opens `path` (or stdin for `-`) as JSON lines; a gzip stream is decompressed. The file's size is read
 * at once, so a missing file fails here; the content is read lazily.
 */
export function openJsonLines(path: string, stdin: NodeJS.ReadableStream): JsonLinesSource {
  const source = openText(path, stdin);
  const batches = lineBatches(source.text);
  return { batches, lines: oneByOne(batches), progress: source.progress };
}

/** A text input: decoded UTF-8 in blocks, and how far it was read. */
export interface TextSource {
  /** the text, in blocks; a read error (a truncated .gz, say) names the source */
  text: AsyncIterable<string>;
  /** bytes read so far and the total, when the source is a file (for progress) */
  progress: () => { read: number; total: number | null };
}

/**
 * Opens `path` (or stdin for `-`) as text, gunzipped when it is gzip (by its magic bytes); the file's
 * size is read at once, so a missing file fails here. What JSON lines and CSV are read from.
 */
export function openText(path: string, stdin: NodeJS.ReadableStream): TextSource {
  if (path === '-') {
    const text = decoded(decompressed(stdin as AsyncIterable<Buffer | string>), 'stdin');
    return { text, progress: () => ({ read: 0, total: null }) };
  }
  const total = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: BLOCK });
  let read = 0;
  const counted = (async function* (): AsyncIterable<Buffer> {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      read += chunk.length; // file bytes, so compressed ones for a gzip file
      yield chunk;
    }
  })();
  return { text: decoded(decompressed(counted), path), progress: () => ({ read, total }) };
}

/** Compressed formats recognised only to refuse them by name: their bytes would become binary lines. */
const UNSUPPORTED_MAGIC: ReadonlyArray<[string, Buffer]> = [
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['bzip2', Buffer.from('BZh')],
  ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
];
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** Bytes looked at before deciding: enough for every magic number above. */
const SNIFF_BYTES = 6;

/**
 * The stream's bytes, gunzipped when they start with the gzip magic number (members concatenated by
 * `cat a.gz b.gz` included); a text stream (strings) passes through. Another compressed format is
 * refused with its name rather than read as lines of binary.
 */
async function* decompressed(input: AsyncIterable<Buffer | string>): AsyncIterable<Buffer | string> {
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    if (typeof next.value === 'string') {
      // Already text: not compressed. Hand back what was read, then the rest.
      yield* head;
      yield next.value;
      yield* rest(iterator);
      return;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const start = Buffer.concat(head);
  const unsupported = UNSUPPORTED_MAGIC.find(([, magic]) => start.subarray(0, magic.length).equals(magic));
  if (unsupported)
    throw new Error(
      `${unsupported[0]}-compressed input is not supported; decompress it first (gzip is read as it is)`,
    );
  const all = (async function* () {
    if (start.length > 0) yield start;
    yield* rest(iterator);
  })();
  if (start.subarray(0, 2).equals(GZIP_MAGIC)) {
    // Errors (a truncated file) surface in the iteration of the gunzip stream.
    yield* pipeline(all, createGunzip(), () => undefined) as AsyncIterable<Buffer>;
  } else {
    yield* all;
  }
}

/** The remaining items of an iterator already started. */
async function* rest<T>(iterator: AsyncIterator<T>): AsyncIterable<T> {
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // A reader that stops early closes the file behind the iterator too.
    await iterator.return?.();
  }
}

/**
 * The stream's text (UTF-8 split across blocks is decoded whole). A read error (a truncated .gz, say)
 * names its source.
 */
async function* decoded(input: AsyncIterable<Buffer | string>, source: string): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of input) yield typeof chunk === 'string' ? chunk : decoder.write(chunk);
  } catch (error) {
    const message = (error as { message?: unknown } | null)?.message;
    throw new Error(`reading ${source}: ${typeof message === 'string' ? message : String(error)}`, {
      cause: error,
    });
  }
  const last = decoder.end();
  if (last) yield last;
}

/** Splits text into lines (LF or CRLF) and yields the non-blank ones a block at a time. */
async function* lineBatches(text: AsyncIterable<string>): AsyncIterable<string[]> {
  let rest = '';
  for await (const chunk of text) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    const batch = nonBlank(lines);
    if (batch.length > 0) yield batch;
  }
  const last = nonBlank([rest]);
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

/** Characters gathered before a write: large writes, few of them. */
const WRITE_CHUNK = 1 << 16;

/** A stream to write to; `once('drain')` is used, when it has it, to wait while its buffer is full. */
export interface LineSink {
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes each item as one JSON line to `sink`, 64 KB at a time, waiting for `drain` whenever the
 * sink's buffer is full, so a slow reader (a pipe, a disk) holds memory at the stream's buffer, not the
 * whole output. Returns the number of lines written.
 */
export async function writeJsonLines(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  sink: LineSink,
): Promise<number> {
  let count = 0;
  let chunk = '';
  const flush = async () => {
    const accepted = sink.write(chunk);
    chunk = '';
    if (accepted === false && sink.once) await new Promise<void>((resolve) => sink.once?.('drain', resolve));
  };
  for await (const item of items) {
    chunk += JSON.stringify(item) + '\n';
    count++;
    if (chunk.length >= WRITE_CHUNK) await flush();
  }
  if (chunk) await flush();
  return count;
}
