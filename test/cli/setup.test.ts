import { openDynamoDbStore } from '../../src/store/dynamodb';
import { runTouchpoint } from '../support/cli';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { writeOldLayout } from '../support/dynamodb-old-layout';

describe('touchpoint setup on DynamoDB', () => {
  let local: DynamoDbLocal | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    // The AWS SDK reads its endpoint, region and credentials from the process environment.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
      AWS_REGION: 'local', // DynamoDB Local keeps a database per region and access key: the one its client uses
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  }, 120_000);

  afterAll(async () => {
    for (const name of [
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ])
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    await local?.stop();
  });

  it('creates the table, then moves what an earlier version stored elsewhere, once', async () => {
    // Prepare
    if (!local) throw new Error('DynamoDB Local did not start');
    const table = 'touchpoint-setup';
    const env = { TOUCHPOINT_STORE: `dynamodb:${table}` };
    const created = await runTouchpoint(['setup'], { env });
    await writeOldLayout(local.documentClient, table, {
      links: [{ from: 'anon:a', to: 'user:u', primary: 'user:u', ts: '2026-01-01T10:00:00.000Z' }],
      states: [{ key: 'user:u', writtenTraits: { touch_count: 1 }, writtenAt: '2026-01-01T10:00:00.000Z' }],
    });

    // Act
    const migrated = await runTouchpoint(['setup'], { env });
    const again = await runTouchpoint(['setup'], { env });

    // Assess
    const ready = `DynamoDB table "${table}" is ready in local (on-demand, key pk/sk, TTL on ttl)\n`;
    expect(created).toEqual({ code: 0, stdout: ready, stderr: '' });
    expect(migrated).toEqual({
      code: 0,
      stdout: `${ready}moved 2 identity links and 1 profile states into their ids' partitions\n`,
      stderr: '',
    });
    expect(again).toEqual({ code: 0, stdout: ready, stderr: '' });
    const store = await openDynamoDbStore(table, local.documentClient);
    expect((await store.linksOf(['anon:a'])).map((link) => link.to)).toEqual(['user:u']);
    expect((await store.getProfileState('user:u'))?.writtenTraits).toEqual({ touch_count: 1 });
  });
});
