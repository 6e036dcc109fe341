import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/segment-destination';
import { createApp } from '../../src/app';
import { lambdaContext } from '../../src/cli/commands/handle';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store';
import { runTouchpoint } from '../support/cli';
import { RecordingTraitWriter } from '../support/recording-writer';

/** The sample events of the local loop (events/, shared with `sam local invoke`). */
const EVENTS = join(__dirname, '../../events');
const pageUtmPath = join(EVENTS, 'page-utm.json');
const pageUtm = JSON.parse(readFileSync(pageUtmPath, 'utf8')) as { anonymousId: string; messageId: string };

interface HandleOutput {
  requestId: string;
  report: Record<string, number>;
  identify?: Array<{
    type: string;
    anonymousId?: string;
    traits: Record<string, unknown>;
    messageId: string;
  }>;
  deadLetters?: Array<{ messageId: string | null; reason: string }>;
  identifySentTo?: string;
}

describe('touchpoint handle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-handle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    TOUCHPOINT_STORE: `sqlite:${join(dir, 'store.db')}`,
    TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
  };

  it('runs events/page-utm.json through the handler and prints the report and the identify call it would send', async () => {
    const { code, stdout, stderr } = await runTouchpoint(['handle', pageUtmPath], { env });

    expect(code).toBe(0);
    expect(stderr).toBe('store: memory (dry run: nothing is kept; --send uses TOUCHPOINT_STORE)\n');
    const output = JSON.parse(stdout) as HandleOutput;
    expect(output.requestId).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(output.report).toEqual({
      received: 1,
      processed: 1,
      duplicates: 0,
      ignored: 0,
      deadLettered: 0,
      touches: 1,
      identifyCalls: 1,
      creditCalls: 0,
    });
    expect(output.identify).toEqual([
      expect.objectContaining({
        type: 'identify',
        anonymousId: pageUtm.anonymousId,
        traits: expect.objectContaining({
          first_touch_channel: 'Email',
          first_touch_source: 'newsletter',
          first_touch_medium: 'email',
          first_touch_campaign: 'spring_sale',
          last_touch_channel: 'Email',
          touch_count: 1,
        }),
        integrations: { 'Amazon Lambda': false, 'Amazon Personalize': false },
      }),
    ]);
    // A dry run: neither the configured store nor the outbox was touched.
    expect(existsSync(join(dir, 'store.db'))).toBe(false);
    expect(existsSync(join(dir, 'outbox.jsonl'))).toBe(false);
  });

  it('answers what the Lambda handler of functions/ answers for the same event', async () => {
    const writer = new RecordingTraitWriter();
    const handler = createHandler(() =>
      createApp({}, { store: new MemoryStore(), writer, log: silentLogger }),
    );
    const lambdaReport = await handler(JSON.parse(readFileSync(pageUtmPath, 'utf8')), {
      getRemainingTimeInMillis: () => 5000,
      awsRequestId: 'r1',
    });

    const output = JSON.parse((await runTouchpoint(['handle', pageUtmPath])).stdout) as HandleOutput;

    expect(output.report).toEqual(lambdaReport);
    expect(output.identify?.map(({ traits, messageId }) => ({ traits, messageId }))).toEqual(
      writer.delivered.map(({ traits, messageId }) => ({ traits, messageId })),
    );
  });

  it('reads the event from stdin with -', async () => {
    const { code, stdout } = await runTouchpoint(['handle', '-'], {
      stdin: readFileSync(pageUtmPath, 'utf8'),
    });

    expect(code).toBe(0);
    expect((JSON.parse(stdout) as HandleOutput).report.processed).toBe(1);
  });

  it('lists the reason of a dead-lettered event (events/invalid.json)', async () => {
    const { code, stdout } = await runTouchpoint(['handle', join(EVENTS, 'invalid.json')]);

    expect(code).toBe(0);
    const output = JSON.parse(stdout) as HandleOutput;
    expect(output.report.deadLettered).toBe(1);
    expect(output.deadLetters).toEqual([
      { messageId: expect.any(String), reason: expect.stringMatching(/anonymousId/) },
    ]);
  });

  it('with --send, uses TOUCHPOINT_STORE and the configured writer (here the outbox)', async () => {
    const first = await runTouchpoint(['handle', pageUtmPath, '--send'], { env });
    const again = await runTouchpoint(['handle', pageUtmPath, '--send'], { env });

    expect(first.code).toBe(0);
    expect(first.stderr).toBe(`store: sqlite:${join(dir, 'store.db')}\n`);
    expect(JSON.parse(first.stdout)).toMatchObject({
      report: { processed: 1, identifyCalls: 1 },
      identifySentTo: `the outbox file ${join(dir, 'outbox.jsonl')}`,
    });
    const outbox = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    expect(outbox).toHaveLength(1);
    expect(JSON.parse(outbox[0]!)).toMatchObject({ type: 'identify', anonymousId: pageUtm.anonymousId });
    // The store kept the message: a redelivery changes nothing, as in Lambda.
    expect(JSON.parse(again.stdout)).toMatchObject({ report: { processed: 1, identifyCalls: 0 } });
    expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('keeps stdout pure JSON with --verbose: the log lines go to stderr', async () => {
    const { code, stdout, stderr } = await runTouchpoint(['handle', pageUtmPath, '--verbose'], {
      env: { TOUCHPOINT_LOG_LEVEL: undefined },
    });

    expect(code).toBe(0);
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stderr).toContain('invocation_done');
  });

  it('prints no log line below warn by default', async () => {
    const { stdout, stderr } = await runTouchpoint(['handle', pageUtmPath], {
      env: { TOUCHPOINT_LOG_LEVEL: undefined },
    });

    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stderr).not.toContain('"info"');
  });

  it('exits 1 naming the file when the event is not JSON', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"type": "page",');

    const { code, stderr } = await runTouchpoint(['handle', bad]);

    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^touchpoint handle: ${bad} is not JSON \\(`));
  });

  it("counts the context's time left down from TOUCHPOINT_DEADLINE_MS", () => {
    const context = lambdaContext(4000);

    const left = context.getRemainingTimeInMillis();

    expect(left).toBeLessThanOrEqual(4000);
    expect(left).toBeGreaterThan(3000);
    expect(lambdaContext(0).getRemainingTimeInMillis()).toBe(0);
  });
});
