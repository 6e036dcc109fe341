import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pageEvent } from '../support/events';
import { startLocalKinesis, TEST_CREDENTIALS, type LocalKinesis } from '../support/kinesis-local';
import { runTouchpoint } from '../support/cli';

describe('touchpoint replay --to kinesis:<stream>', () => {
  let kinesis: LocalKinesis;
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-replay-to-'));

  beforeAll(async () => {
    kinesis = await startLocalKinesis();
  });

  afterAll(async () => {
    await kinesis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every message of the file once, keyed by profile, and prints a summary', async () => {
    await kinesis.createStream('backfill', 2);
    const messages = Array.from({ length: 30 }, (_, n) =>
      pageEvent({
        anonymousId: `anon-${n % 5}`,
        at: `2026-03-01T10:${String(n).padStart(2, '0')}:00Z`,
        url: 'https://shop.example.com/',
      }),
    );
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, [...messages.map((m) => JSON.stringify(m)), 'not json'].join('\n') + '\n');

    const result = await runTouchpoint(['replay', file, '--to', 'kinesis:backfill'], {
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_KINESIS: kinesis.url,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
    });

    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/published {6}30 records to kinesis:backfill/);
    expect(result.stdout).toMatch(/skipped {8}1 lines/);
    const records = [...(await kinesis.readAll('backfill')).values()].flat();
    expect(records.map((record) => record.partitionKey).sort()).toEqual(
      messages.map((message) => String(message.anonymousId)).sort(),
    );
  });

  it('refuses a --to that is not kinesis:<stream> before reading anything (exit 2)', async () => {
    const result = await runTouchpoint(['replay', join(dir, 'missing.jsonl'), '--to', 'sqs:queue']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected kinesis:<stream name or ARN>');
  });
});
