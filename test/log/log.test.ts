import { createLogger, scrub } from '../../src/log';

describe('logger', () => {
  it('writes JSON lines at or above its level only', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (line) => lines.push(line));
    log.info('hidden');
    log.warn('shown', { messageId: 'm1' });
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { level: 'warn', event: 'shown', messageId: 'm1' },
    ]);
  });

  it('masks emails and write keys that slip into a field', () => {
    expect(scrub({ reason: 'bad user jane.doe@example.com', raw: '"writeKey":"abc123"' })).toEqual({
      reason: 'bad user [email]',
      raw: '"writeKey":"[redacted]"',
    });
  });
});
