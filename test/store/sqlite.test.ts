import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { RetryableError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { openSqliteStore } from '../../src/store/sqlite';
import { pageEvent } from '../support/events';
import { RecordingTraitWriter } from '../support/recording-writer';
import { describeStoreConformance } from './conformance';

const dir = mkdtempSync(join(tmpdir(), 'touchpoint-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('sqlite', async () => openSqliteStore(join(dir, `store-${n++}.db`)));

describe('sqlite store', () => {
  it('reopens an existing file with its data and schema version', async () => {
    const path = join(dir, 'reopen.db');
    const first = await openSqliteStore(path);
    await first.markStep('m1', 'done');
    await first.close();
    const second = await openSqliteStore(path);
    expect(await second.getMessage('m1')).toEqual({ messageId: 'm1', steps: ['done'] });
    await second.close();
  });

  it('migrates the dead letters of a version-3 store to one row per message', async () => {
    // Prepare: a store as version 3 left it (a row per attempt, numeric order; no later tables)
    const path = join(dir, 'v3.db');
    await (await openSqliteStore(path)).close();
    const raw = new Database(path);
    raw.exec(`
      DROP TABLE dead_letters; DROP TABLE dead_letter_owners;
      ALTER TABLE profiles DROP COLUMN related_recommendations; -- migration 5, after the dead letters
      DROP TABLE conversions; -- migration 6, after the related items
      ALTER TABLE profiles DROP COLUMN written_by; -- migration 7, after the conversions
      CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, message_id TEXT, reason TEXT NOT NULL, payload TEXT);
      INSERT INTO dead_letters (at, message_id, reason, payload) VALUES
        ('2026-01-01T00:00:00.000Z', 'm1', 'first try', '{"a":1}'),
        ('2026-01-01T00:00:01.000Z', 'm1', 'second try', '{"a":1}'),
        ('2026-01-01T00:00:02.000Z', NULL, 'not JSON', '"{oops"');
    `);
    raw.pragma('user_version = 3');
    raw.close();

    // Act
    const store = await openSqliteStore(path);

    // Assess
    expect(await store.listDeadLetters(10)).toEqual([
      {
        at: '2026-01-01T00:00:02.000Z',
        key: 'row:3',
        messageId: null,
        reason: 'not JSON',
        payload: '{oops',
        note: null,
        owners: [],
      },
      {
        at: '2026-01-01T00:00:01.000Z',
        key: 'msg:m1',
        messageId: 'm1',
        reason: 'second try',
        payload: { a: 1 },
        note: null,
        owners: [],
      },
    ]);
    await store.close();
  });

  it('rolls a failed batch back', async () => {
    const store = await openSqliteStore(join(dir, 'rollback.db'));
    await expect(
      store.batch(async () => {
        await store.markStep('m1', 'done');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getMessage('m1')).toBeNull();
    await store.close();
  });
});

describe('sqlite store link cache', () => {
  it('writes a link again after the batch that wrote it was rolled back', async () => {
    const store = await openSqliteStore(join(dir, 'link-rollback.db'));
    const link = {
      from: 'anon:a' as const,
      to: 'user:u' as const,
      primary: 'user:u' as const,
      timestamp: '2026-01-01T00:00:00.000Z',
    };
    await expect(
      store.batch(async () => {
        await store.link(link);
        throw new Error('write-back failed');
      }),
    ).rejects.toThrow('write-back failed');

    await store.link(link);

    expect(await store.linksOf(['anon:a'])).toHaveLength(1);
    await store.close();
  });
});

describe('sqlite store under a deadline', () => {
  const SITE = 'https://shop.example.com';

  it('fails an invocation with RetryableError within its deadline while another connection holds the lock', async () => {
    // Prepare: a container on a SQLite file, and a second connection holding its write lock
    const path = join(dir, 'locked.db');
    const deadlineMs = 600;
    const handle = createHandler(() =>
      createApp(
        {
          TOUCHPOINT_STORE: `sqlite:${path}`,
          TOUCHPOINT_DEADLINE_MS: String(deadlineMs),
          TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
          TOUCHPOINT_LOG_LEVEL: 'silent',
        },
        { writer: new RecordingTraitWriter(), log: silentLogger },
      ),
    );
    const context = { getRemainingTimeInMillis: () => 5000 };
    const visit = (messageId: string) =>
      pageEvent({ messageId, anonymousId: 'a-locked', at: '2026-03-01T10:00:00Z', url: `${SITE}/` });
    await handle(visit('before-lock'), context); // creates the file and its schema
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');

    // Act
    const started = Date.now();
    const outcome = await handle(visit('while-locked'), context).catch((error: unknown) => error);
    const elapsedMs = Date.now() - started;
    holder.exec('ROLLBACK');
    const afterwards = await handle(visit('while-locked'), context);

    // Assess: the SQLite default alone would have waited 5,000 ms, past Segment's timeout
    expect(outcome).toBeInstanceOf(RetryableError);
    expect((outcome as Error).message).toMatch(/locked by another connection/);
    expect(elapsedMs).toBeLessThan(deadlineMs + 250);
    expect(afterwards).toMatchObject({ processed: 1 });
    holder.close();
  });

  it('bounds the lock wait in whole 100 ms steps, each busy_timeout statement prepared once', async () => {
    // Prepare: a store, and a record of the busy_timeout statements it prepares
    const store = await openSqliteStore(join(dir, 'busy-steps.db'));
    const prepare = jest.spyOn(Database.prototype, 'prepare');
    const pragma = jest.spyOn(Database.prototype, 'pragma'); // prepares its statement on every call

    // Act: 200 deliveries of about 5 s each, as a warm container sees them
    for (let delivery = 0; delivery < 200; delivery++) {
      await store.withinDeadline(Date.now() + 4_950 - (delivery % 7) * 10, () =>
        store.markStep(`m${delivery}`, 'done'),
      );
    }
    const busyTimeouts = [...prepare.mock.calls, ...pragma.mock.calls]
      .map(([source]) => source)
      .filter((source) => source.includes('busy_timeout'));
    prepare.mockRestore();
    pragma.mockRestore();

    // Assess: 4,700 or 4,800 ms under a deadline, 5,000 between deliveries; not one statement per delivery
    expect(busyTimeouts.length).toBeGreaterThan(0);
    expect(new Set(busyTimeouts).size).toBe(busyTimeouts.length);
    expect(busyTimeouts.length).toBeLessThanOrEqual(3);
    for (const source of busyTimeouts) expect(source).toMatch(/busy_timeout = (4700|4800|5000)$/);
    await store.close();
  });
});
