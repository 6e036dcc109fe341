import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the deployed handler writes for a normal invocation, as CloudWatch receives it: JSON lines with a
 * `level` field, info on stdout and nothing at error level (before, every line went to stderr via
 * console.error and CloudWatch showed info as ERROR), and one metrics line in CloudWatch's EMF.
 */
describe('the Lambda handler’s log output', () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-log-'));

  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a normal invocation at info, as JSON on stdout, and writes nothing to stderr', async () => {
    // Prepare: no AWS and no Segment (memory store, identify calls to an outbox file)
    for (const name of ['SEGMENT_WRITE_KEY', 'SEGMENT_WRITE_KEY_PARAMETER', 'PERSONALIZE_TRACKING_ID']) {
      delete process.env[name];
    }
    Object.assign(process.env, {
      TOUCHPOINT_STORE: 'memory',
      TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
      TOUCHPOINT_LOG_LEVEL: 'info',
    });
    const event: unknown = JSON.parse(readFileSync(join(__dirname, '../../events/page-utm.json'), 'utf8'));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const consoleCalls = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation(() => undefined),
    );
    let written: { stdout: string; stderr: string };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require('../../functions/segment-destination') as {
        handler: (event: unknown, context: object) => Promise<unknown>;
      };

      // Act
      await handler(event, { getRemainingTimeInMillis: () => 5000, awsRequestId: 'req-1' });
      const text = (spy: jest.SpyInstance) => spy.mock.calls.map((call) => String(call[0])).join('');
      written = { stdout: text(out), stderr: text(err) };
      for (const spy of consoleCalls) expect(spy).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
      for (const spy of consoleCalls) spy.mockRestore();
    }

    // Assess
    const lines = written.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        event: 'invocation_done',
        service: 'touchpoint',
        requestId: 'req-1',
        processed: 1,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      }),
    );
    // Besides the log lines, stdout carries the invocation's one CloudWatch EMF metrics line.
    const [metrics, ...more] = lines.filter((line) => '_aws' in line);
    expect(more).toEqual([]);
    expect(metrics).toMatchObject({ Processed: 1, Touches: 1 });
    const logLines = lines.filter((line) => !('_aws' in line));
    expect(logLines.every((line) => line.level === 'info' || line.level === 'debug')).toBe(true);
    expect(written.stderr).toBe('');
  });
});
