import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openJsonLines } from '../../src/io/jsonl';

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
