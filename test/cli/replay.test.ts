import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runTouchpoint } from '../support/cli';
import { pageEvent } from '../support/events';

describe('touchpoint replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-replay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (name: string) => ({
    TOUCHPOINT_STORE: `sqlite:${join(dir, `${name}.db`)}`,
    TOUCHPOINT_OUTBOX: join(dir, `${name}-outbox.jsonl`),
  });
  const lines =
    ['a1', 'a2', 'a3']
      .map((anonymousId, i) =>
        JSON.stringify(
          pageEvent({
            anonymousId,
            at: `2026-03-0${i + 1}T10:00:00Z`,
            url: 'https://shop.example.com/?utm_source=x',
          }),
        ),
      )
      .join('\n') + '\n';

  it('decompresses gzip piped into `replay -` instead of dead-lettering its bytes', async () => {
    const { code, stdout } = await runTouchpoint(['replay', '-'], {
      env: env('stdin'),
      stdin: gzipSync(lines),
    });

    expect(code).toBe(0);
    expect(stdout).toMatch(/received\s+3 messages/);
    expect(stdout).toMatch(/processed\s+3/);
    expect(stdout).toMatch(/dead-lettered\s+0/);
  });

  it('decompresses a gzip file whatever its name', async () => {
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, gzipSync(lines));

    const { code, stdout } = await runTouchpoint(['replay', file], { env: env('file') });

    expect(code).toBe(0);
    expect(stdout).toMatch(/processed\s+3/);
  });

  it('names a missing input file in one line, exit 1', async () => {
    const missing = join(dir, 'missing.jsonl');

    const { code, stderr } = await runTouchpoint(['replay', missing], { env: env('missing') });

    expect(code).toBe(1);
    expect(stderr).toBe(`touchpoint replay: no such file or directory: ${missing}\n`);
  });
});
