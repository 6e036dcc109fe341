import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxTraitWriter, type IdentifyCall } from '../../src/writeback';

const identify = (target: IdentifyCall['target'], n: number): IdentifyCall => ({
  target,
  traits: { touch_count: n },
  messageId: `m${n}`,
  timestamp: '2026-03-01T10:00:00.000Z',
});

/** The outbox's lines, parsed. */
const outboxLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('OutboxTraitWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-outbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends identify calls as JSON lines, shaped as Segment would receive them', async () => {
    const path = join(dir, 'nested', 'outbox.jsonl');
    const writer = new OutboxTraitWriter(path);
    writer.identify(identify('user:u1', 1));
    await writer.flush();
    writer.identify(identify('anon:a1', 2));
    await writer.flush();

    const lines = outboxLines(path);
    expect(lines).toEqual([
      expect.objectContaining({
        type: 'identify',
        userId: 'u1',
        traits: { touch_count: 1 },
        messageId: 'm1',
      }),
      expect.objectContaining({
        type: 'identify',
        anonymousId: 'a1',
        traits: { touch_count: 2 },
        messageId: 'm2',
      }),
    ]);
    expect(lines[0]).toMatchObject({ integrations: { 'Amazon Lambda': false }, context: { active: false } });
  });

  it('writes track calls as lines of their own, in the order they were queued', async () => {
    const path = join(dir, 'tracks.jsonl');
    const writer = new OutboxTraitWriter(path);
    writer.identify(identify('user:u1', 1));
    writer.track({
      target: 'user:u1',
      event: 'Conversion Attributed',
      properties: { credit_version: 1 },
      messageId: 'c1',
      timestamp: '2026-03-01T10:00:00.000Z',
    });
    await writer.flush();

    const lines = outboxLines(path);
    expect(lines.map((line) => [line.type, line.messageId])).toEqual([
      ['identify', 'm1'],
      ['track', 'c1'],
    ]);
    expect(lines[1]).toMatchObject({
      userId: 'u1',
      event: 'Conversion Attributed',
      properties: { credit_version: 1 },
      integrations: { 'Amazon Lambda': false },
    });
  });
});
