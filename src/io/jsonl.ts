import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** A source of JSON lines: a path (`.gz` is decompressed) or `-` for the given stdin. */
export interface JsonLinesSource {
  lines: AsyncIterable<string>;
  /** bytes read so far and the total, when the source is a file (for progress) */
  progress: () => { read: number; total: number | null };
}

export function openJsonLines(path: string, stdin: NodeJS.ReadableStream): JsonLinesSource {
  if (path === '-') {
    return {
      lines: nonEmpty(createInterface({ input: stdin, crlfDelay: Infinity }), 'stdin'),
      progress: () => ({ read: 0, total: null }),
    };
  }
  const total = statSync(path).size;
  const file = createReadStream(path);
  let read = 0;
  file.on('data', (chunk: Buffer | string) => {
    read += chunk.length;
  });
  const input: Readable = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  return {
    lines: nonEmpty(createInterface({ input, crlfDelay: Infinity }), path),
    progress: () => ({ read, total }),
  };
}

/** The non-blank lines; a read error (a truncated .gz, say) names the source it came from. */
async function* nonEmpty(lines: AsyncIterable<string>, source: string): AsyncIterable<string> {
  try {
    for await (const line of lines) if (line.trim() !== '') yield line;
  } catch (error) {
    const message = (error as { message?: unknown } | null)?.message;
    throw new Error(`reading ${source}: ${typeof message === 'string' ? message : String(error)}`, {
      cause: error,
    });
  }
}
