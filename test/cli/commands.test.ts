import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '../../src/generate';
import { runTouchpoint } from '../support/cli';
import { FakeSegmentApi } from '../support/segment-server';
import { identifyEvent, pageEvent } from '../support/events';

describe('touchpoint CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (name: string) => ({
    TOUCHPOINT_STORE: `sqlite:${join(dir, `${name}.db`)}`,
    TOUCHPOINT_OUTBOX: join(dir, `${name}-outbox.jsonl`),
    TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
  });

  it('lists its commands', async () => {
    const { code, stdout } = await runTouchpoint(['help']);
    expect(code).toBe(0);
    for (const name of ['demo', 'replay', 'profile', 'classify', 'generate', 'dead-letters'])
      expect(stdout).toContain(name);
  });

  it('exits 2 on an unknown command', async () => {
    expect((await runTouchpoint(['frobnicate'])).code).toBe(2);
  });

  it('reports a configuration error clearly', async () => {
    const { code, stderr } = await runTouchpoint(['profile', 'u1'], { env: { TOUCHPOINT_STORE: 'nope' } });
    expect(code).toBe(1);
    expect(stderr).toContain('TOUCHPOINT_STORE');
  });

  it('classifies JSON lines from stdin, with --explain on request', async () => {
    const stdin = [
      JSON.stringify({
        page_url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email',
        referrer: '',
      }),
      JSON.stringify({ page_url: 'https://shop.example.com/', referrer: 'https://www.google.com/' }),
    ].join('\n');
    const plain = await runTouchpoint(['classify'], { stdin });
    const lines = plain.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ channel: 'Email', source: 'newsletter', medium: 'email' }),
      expect.objectContaining({
        channel: 'Organic Search',
        source: 'google',
        medium: 'organic',
        referrer_host: 'google.com',
      }),
    ]);
    expect(Object.keys(lines[0]!).sort()).toEqual(
      [
        'campaign',
        'channel',
        'click_id',
        'content',
        'internal',
        'landing_page',
        'medium',
        'referrer_host',
        'search_term',
        'source',
        'term',
      ].sort(),
    );
    const explained = await runTouchpoint(['classify', '--explain'], { stdin });
    expect(JSON.parse(explained.stdout.split('\n')[0]!)).toHaveProperty('explain.channel');
  });

  it('replays a JSONL file, then shows the profile it built', async () => {
    const file = join(dir, 'events.jsonl');
    const events = [
      pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: 'https://shop.example.com/',
        referrer: 'https://www.google.com/',
      }),
      identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2026-03-01T10:05:00Z' }),
      pageEvent({
        anonymousId: 'a1',
        userId: 'u1',
        at: '2026-03-04T10:00:00Z',
        url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email',
      }),
    ];
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n{not json\n');

    const replay = await runTouchpoint(['replay', file], { env: env('replay') });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/received\s+4 messages/);
    expect(replay.stdout).toMatch(/processed\s+3/);
    expect(replay.stdout).toMatch(/dead-lettered\s+1/);
    expect(existsSync(join(dir, 'replay-outbox.jsonl'))).toBe(true);

    const again = await runTouchpoint(['replay', file], { env: env('replay') });
    expect(again.stdout).toMatch(/duplicates\s+3/);

    const profile = await runTouchpoint(['profile', 'u1'], { env: env('replay') });
    expect(profile.code).toBe(0);
    const view = JSON.parse(profile.stdout) as Record<string, Record<string, unknown> | unknown[]>;
    expect(view).toMatchObject({
      target: 'user:u1',
      linked_ids: ['anon:a1', 'user:u1'],
      first_touch: { channel: 'Organic Search' },
      last_touch: { channel: 'Email' },
      written_traits: { first_touch_channel: 'Organic Search', last_touch_channel: 'Email', touch_count: 2 },
    });

    const letters = await runTouchpoint(['dead-letters'], { env: env('replay') });
    expect(JSON.parse(letters.stdout.trim().split('\n')[0]!)).toMatchObject({
      reason: 'not JSON',
      payload: '{not json',
    });
  });

  it('replays into a Segment endpoint: one identify per profile, each once, in one window', async () => {
    const api = new FakeSegmentApi();
    const host = await api.start();
    try {
      const file = join(dir, 'segment-events.jsonl');
      const events = generateEvents({ users: 700, seed: 8, start: new Date('2026-03-01T00:00:00Z') });
      writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n');

      const replay = await runTouchpoint(['replay', file], {
        env: { ...env('segment'), SEGMENT_WRITE_KEY: 'wk-test', SEGMENT_HOST: host },
      });

      expect(replay.code).toBe(0);
      const identifies = api.messages().filter((message) => message.type === 'identify');
      const credits = api.messages().filter((message) => message.event === 'Conversion Attributed');
      expect(identifies.length).toBeGreaterThan(500); // more than one batch of the writer
      expect(replay.stdout).toMatch(new RegExp(`identify calls\\s+${identifies.length}\\b`));
      expect(credits.length).toBeGreaterThan(0);
      expect(replay.stdout).toMatch(new RegExp(`credit calls\\s+${credits.length}\\b`));
      const targets = identifies.map((message) => message.userId ?? message.anonymousId);
      expect(new Set(targets).size).toBe(identifies.length);
    } finally {
      await api.stop();
    }
  });

  it('says so when a profile does not exist', async () => {
    // The store must exist first: `profile` no longer creates an empty one (test/cli/profile.test.ts).
    expect((await runTouchpoint(['setup'], { env: env('empty') })).code).toBe(0);
    const { code, stderr } = await runTouchpoint(['profile', 'nobody'], { env: env('empty') });
    expect(code).toBe(1);
    expect(stderr).toContain('no profile found');
  });

  it('generates seeded events to a file', async () => {
    const out = join(dir, 'generated.jsonl');
    const { code } = await runTouchpoint(['generate', '--users', '20', '--seed', '3', '--out', out]);
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(JSON.parse(lines[0]!)).toHaveProperty('messageId');
  });

  it('generates the workshop profile with --profile workshop, and names the profiles on an unknown one', async () => {
    const out = join(dir, 'workshop.jsonl');
    const run = await runTouchpoint([
      'generate',
      '--profile',
      'workshop',
      '--users',
      '60',
      '--seed',
      '3',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    const names = new Set(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { event?: string }).event),
    );
    expect(names).toContain('Signup Success');
    expect(names).toContain('Product Clicked');

    const unknown = await runTouchpoint([
      'generate',
      '--profile',
      'worksop',
      '--out',
      join(dir, 'never.jsonl'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown --profile "worksop": use shop or workshop');
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
    expect((await runTouchpoint(['generate', '--help'])).stdout).toMatch(
      /--profile <name>.*shop or workshop.*default shop/,
    );
  });

  it('exits quietly with 0 when the reader of its output stops early (`| head`)', async () => {
    const child = spawn(process.execPath, [
      join(__dirname, '../../dist/cli.js'),
      'generate',
      '--users',
      '500',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('runs the demo end to end and prints the channel table', async () => {
    const { code, stdout } = await runTouchpoint(['demo', '--users', '150', '--dir', join(dir, 'demo')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/channel\s+first touch\s+last touch/);
    expect(stdout).toMatch(/Organic Search\s+\d+\s+\d+/);
    expect(stdout).toMatch(/identify calls: \d+/);
    expect(stdout).toContain('example, merged across two devices');
  });
});
