import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite';
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
