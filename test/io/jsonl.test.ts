import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openJsonLines, writeJsonLines } from '../../src/io/jsonl';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('openJsonLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-jsonl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const text = '{"a":1}\n\n  \n{"a":2}\r\n{"a":3}';

  it('reads the non-blank lines of a file, a .gz file and stdin, with progress for files', async () => {
    writeFileSync(join(dir, 'plain.jsonl'), text);
    writeFileSync(join(dir, 'packed.jsonl.gz'), gzipSync(text));

    const plain = openJsonLines(join(dir, 'plain.jsonl'), Readable.from([]));
    expect(await collect(plain.lines)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(plain.progress()).toEqual({ read: text.length, total: text.length });
    expect(await collect(openJsonLines(join(dir, 'packed.jsonl.gz'), Readable.from([])).lines)).toHaveLength(
      3,
    );
    const stdin = openJsonLines('-', Readable.from([text]));
    expect(await collect(stdin.lines)).toHaveLength(3);
    expect(stdin.progress().total).toBeNull();
  });

  it('detects gzip by its magic bytes, not the name: a gzip file without .gz, and gzip on stdin', async () => {
    writeFileSync(join(dir, 'packed-no-suffix.jsonl'), gzipSync(text));
    const packed = gzipSync(text);

    const file = openJsonLines(join(dir, 'packed-no-suffix.jsonl'), Readable.from([]));
    const stdin = openJsonLines('-', Readable.from([packed]));
    // The magic number split across chunks, as a pipe may deliver it.
    const trickle = openJsonLines('-', Readable.from([...packed].map((byte) => Buffer.from([byte]))));

    expect(await collect(file.lines)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(await collect(stdin.lines)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(await collect(trickle.lines)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
  });

  it('reads concatenated gzip members (cat a.gz b.gz) as one stream', async () => {
    const stdin = openJsonLines(
      '-',
      Readable.from([Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"a":2}\n')])]),
    );

    expect(await collect(stdin.lines)).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('reads a plain file named .gz as the text it is', async () => {
    writeFileSync(join(dir, 'misnamed.jsonl.gz'), text);

    expect(
      await collect(openJsonLines(join(dir, 'misnamed.jsonl.gz'), Readable.from([])).lines),
    ).toHaveLength(3);
  });

  it('refuses another compression format by name instead of reading binary lines', async () => {
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x61, 0x00]);

    await expect(collect(openJsonLines('-', Readable.from([zstd])).lines)).rejects.toThrow(
      'reading stdin: zstd-compressed input is not supported; decompress it first',
    );
  });

  it('reads short and empty byte streams', async () => {
    expect(await collect(openJsonLines('-', Readable.from([Buffer.from('1')])).lines)).toEqual(['1']);
    expect(await collect(openJsonLines('-', Readable.from([])).lines)).toEqual([]);
  });

  it('keeps lines whole across 1 MB blocks: multi-byte characters, CRLF, no final newline', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ n: i, s: 'é€😀'.repeat(i % 7) }));
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, lines.join('\r\n'));

    const source = openJsonLines(path, Readable.from([]));
    const batches: string[][] = [];
    for await (const batch of source.batches) batches.push(batch);

    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(lines);
  });

  it('names the file when it cannot be read to the end (a truncated .gz)', async () => {
    const packed = gzipSync(Array.from({ length: 2000 }, (_, i) => `{"n":${i}}`).join('\n'));
    const path = join(dir, 'truncated.jsonl.gz');
    writeFileSync(path, packed.subarray(0, packed.length - 20));

    await expect(collect(openJsonLines(path, Readable.from([])).lines)).rejects.toThrow(
      `reading ${path}: unexpected end of file`,
    );
  });
});

describe('writeJsonLines', () => {
  it('writes one JSON line per item in chunks, and waits for drain while the sink is full', async () => {
    // Prepare: a sink whose buffer is always full; it counts writes made before each drain.
    const writes: string[] = [];
    let waiting: (() => void) | undefined;
    const sink = {
      write: (text: string) => (writes.push(text), false),
      once: (_event: 'drain', listener: () => void) => (waiting = listener),
    };
    const items = Array.from({ length: 5000 }, (_, n) => ({ n, pad: 'x'.repeat(100) }));

    // Act: start writing, then let the sink drain one write at a time.
    const done = writeJsonLines(items, sink);
    let drains = 0;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!waiting) break;
      // Assess: nothing more is written while the sink is full.
      expect(writes).toHaveLength(drains + 1);
      const resume = waiting;
      waiting = undefined;
      drains++;
      resume();
    }

    expect(await done).toBe(5000);
    expect(writes.length).toBeGreaterThan(5);
    expect(Math.max(...writes.map((chunk) => chunk.length))).toBeLessThan(70_000);
    expect(
      writes
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(items);
  });

  it('writes to a sink without drain (a plain writer) and reads an async stream', async () => {
    const writes: string[] = [];
    const stream = (async function* () {
      yield { a: 1 };
      yield { a: 2 };
    })();
    expect(await writeJsonLines(stream, { write: (text: string) => writes.push(text) })).toBe(2);
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n']);
  });
});
