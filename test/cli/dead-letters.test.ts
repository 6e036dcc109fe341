import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { replayDeadLetters } from '../../src/cli/commands/dead-letters';
import { parseEnvelope } from '../../src/events';
import { runTouchpoint } from '../support/cli';
import { RecordingTraitWriter } from '../support/recording-writer';
import { identifyEvent, pageEvent } from '../support/events';

describe('touchpoint dead-letters --replay and --purge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-dead-letters-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (name: string, extra: Record<string, string> = {}) => ({
    TOUCHPOINT_STORE: `sqlite:${join(dir, `${name}.db`)}`,
    TOUCHPOINT_OUTBOX: join(dir, `${name}-outbox.jsonl`),
    ...extra,
  });
  const letters = async (name: string, ...flags: string[]) => {
    const { stdout } = await runTouchpoint(['dead-letters', ...flags], { env: env(name) });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { key: string; messageId: string | null; reason: string });
  };
  const outbox = (name: string) =>
    readFileSync(join(dir, `${name}-outbox.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as { userId?: string; anonymousId?: string; traits: Record<string, unknown> },
      );
  // 2025 visits: plausible, unless the earliest plausible time is set a year too late
  const visits = [
    pageEvent({
      anonymousId: 'a1',
      at: '2025-03-01T10:00:00Z',
      url: 'https://shop.example.com/?utm_source=news&utm_medium=email',
    }),
    pageEvent({ anonymousId: 'a2', at: '2025-03-02T10:00:00Z', url: 'https://shop.example.com/?gclid=abc' }),
    identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2025-03-01T10:05:00Z' }),
  ];
  const stdin = visits.map((event) => JSON.stringify(event)).join('\n') + '\n{not json\n';

  it('fix a config, replay: the dead letters that now succeed are gone and their traits are written', async () => {
    // Prepare: a misconfigured run dead-letters every event, and redelivering it adds no rows
    const misconfigured = env('fix', { TOUCHPOINT_EARLIEST_TIMESTAMP: '2026-01-01' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const run = await runTouchpoint(['replay', '-'], { env: misconfigured, stdin });
      expect(run.stdout).toMatch(/dead-lettered\s+4/);
    }
    const before = await letters('fix');
    expect(before).toHaveLength(4);
    expect(
      before.filter((letter) => letter.reason === 'timestamp: before 2026-01-01T00:00:00.000Z'),
    ).toHaveLength(3);

    // Act: the default bounds again, and a replay through the pipeline
    const replay = await runTouchpoint(['dead-letters', '--replay'], { env: env('fix') });

    // Assess
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(
      'replayed 4 dead letters: 3 succeeded and were removed, 1 dead-lettered again\n',
    );
    expect((await letters('fix')).map((letter) => letter.reason)).toEqual(['not JSON']);
    const written = outbox('fix');
    expect(written).toContainEqual(
      expect.objectContaining({
        userId: 'u1',
        traits: expect.objectContaining({
          first_touch_source: 'news',
          first_touch_landing_page: 'https://shop.example.com/?utm_source=news&utm_medium=email',
        }),
      }),
    );
    expect(written).toContainEqual(
      expect.objectContaining({
        anonymousId: 'a2',
        traits: expect.objectContaining({ first_touch_click_id: 'abc' }),
      }),
    );
    const profile = await runTouchpoint(['profile', 'u1'], { env: env('fix') });
    expect(JSON.parse(profile.stdout)).toMatchObject({ first_touch: { source: 'news' } });
  });

  it('replays and purges only what --since and --reason select', async () => {
    const run = await runTouchpoint(['replay', '-'], {
      env: env('filters', { TOUCHPOINT_EARLIEST_TIMESTAMP: '2026-01-01' }),
      stdin,
    });
    expect(run.stdout).toMatch(/dead-lettered\s+4/);

    const none = await runTouchpoint(['dead-letters', '--replay', '--since', '2999-01-01'], {
      env: env('filters'),
    });
    expect(none.stdout).toBe(
      'replayed 0 dead letters: 0 succeeded and were removed, 0 dead-lettered again\n',
    );
    expect(await letters('filters', '--reason', 'TIMESTAMP')).toHaveLength(3);

    const purged = await runTouchpoint(['dead-letters', '--purge', '--reason', 'not json'], {
      env: env('filters'),
    });
    expect(purged.stdout).toBe('purged 1 dead letters\n');
    expect(await letters('filters')).toHaveLength(3);

    const all = await runTouchpoint(['dead-letters', '--purge'], { env: env('filters') });
    expect(all.stdout).toBe('purged 3 dead letters\n');
    expect(await letters('filters')).toEqual([]);
  });

  it('refuses --replay with --purge, and a --since that is not a date', async () => {
    const both = await runTouchpoint(['dead-letters', '--replay', '--purge'], { env: env('usage') });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--replay and --purge do not go together');
    const since = await runTouchpoint(['dead-letters', '--since', 'yesterday'], { env: env('usage') });
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since yesterday: not a date');
  });

  it('keeps what Personalize rejected: the message is done otherwise, and a replay cannot resend its event', async () => {
    const app = await createApp({ TOUCHPOINT_STORE: 'memory' }, { writer: new RecordingTraitWriter() });
    const message = pageEvent({
      anonymousId: 'a1',
      messageId: 'm-rejected',
      at: '2026-03-01T10:00:00Z',
      url: 'https://shop.example.com/',
    });
    await app.engine.deliver(parseEnvelope(message), Date.now() + 5000);
    const letter = {
      at: '2026-03-01T10:00:01.000Z',
      key: 'msg:m-rejected',
      messageId: 'm-rejected',
      reason: 'personalize: itemId longer than 256 characters',
      payload: message,
      note: null,
      owners: [],
    };
    await app.pipeline.store.addDeadLetter(letter);

    expect(await replayDeadLetters(app, [letter])).toEqual({ removed: 0, kept: 1 });
    expect(await app.pipeline.store.listDeadLetters(10)).toHaveLength(1);
    await app.close();
  });
});
