import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTouchpoint } from '../support/cli';
import { pageEvent } from '../support/events';

describe('touchpoint profile and dead-letters (read-only tools)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says which store it read, on stderr, keeping stdout for the profile', async () => {
    const store = join(dir, 'read.db');
    const env = { TOUCHPOINT_STORE: `sqlite:${store}`, TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl') };
    const event = pageEvent({
      anonymousId: 'a1',
      at: '2026-03-01T10:00:00Z',
      url: 'https://shop.example.com/',
    });
    await runTouchpoint(['replay', '-'], { env, stdin: JSON.stringify(event) });

    const { code, stdout, stderr } = await runTouchpoint(['profile', 'a1'], { env });

    expect(code).toBe(0);
    expect(stderr).toBe(`store: sqlite:${store}\n`);
    expect(JSON.parse(stdout)).toMatchObject({ target: 'anon:a1' });
  });

  it.each([['profile', 'u1'], ['dead-letters']])(
    '%s never creates a store: a missing SQLite file is an error naming TOUCHPOINT_STORE and the path',
    async (...argv) => {
      const store = join(dir, 'not-there', 'touchpoint.db');

      const { code, stdout, stderr } = await runTouchpoint(argv, {
        env: { TOUCHPOINT_STORE: `sqlite:${store}` },
      });

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(`store: sqlite:${store}\n`);
      expect(stderr).toContain(
        `touchpoint ${argv[0]}: no SQLite store at ${store}: TOUCHPOINT_STORE=sqlite:${store} names a file that does not exist`,
      );
      expect(existsSync(store)).toBe(false);
      expect(existsSync(join(dir, 'not-there'))).toBe(false);
    },
  );

  it('names the file when TOUCHPOINT_STORE points at something that is not a database', async () => {
    const notADatabase = join(dir, 'notes.txt');
    writeFileSync(notADatabase, 'these are notes, not a SQLite file\n'.repeat(200));

    const { code, stderr } = await runTouchpoint(['profile', 'u1'], {
      env: { TOUCHPOINT_STORE: `sqlite:${notADatabase}` },
    });

    expect(code).toBe(1);
    expect(stderr).toContain(
      `touchpoint profile: SQLite store ${notADatabase} is not a SQLite database: point TOUCHPOINT_STORE at a touchpoint store [SQLITE_NOTADB]`,
    );
  });
});
