import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxTraitWriter } from '../../src/writeback';

describe('OutboxTraitWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-outbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends identify calls as JSON lines, shaped as Segment would receive them', async () => {
    const path = join(dir, 'nested', 'outbox.jsonl');
    const writer = new OutboxTraitWriter(path);
    writer.identify({
      target: 'user:u1',
      traits: { touch_count: 1 },
      messageId: 'm1',
      timestamp: '2026-03-01T10:00:00.000Z',
    });
    await writer.flush();
    writer.identify({
      target: 'anon:a1',
      traits: { touch_count: 2 },
      messageId: 'm2',
      timestamp: '2026-03-01T10:00:00.000Z',
    });
    await writer.flush();

    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
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
});
