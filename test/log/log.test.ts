import { createLogger, streamSink, type EntryLevel, type TextStream } from '../../src/log';

const AT = new Date('2026-03-01T10:00:00.000Z');

/** A stream that keeps what is written to it. */
function recordingStream(): TextStream & { text: () => string } {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

const parsedLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createLogger', () => {
  it('writes one JSON object per entry with level, RFC 3339 timestamp, service and event, then the fields', () => {
    // Prepare
    const lines: Array<{ line: string; level: EntryLevel }> = [];
    const log = createLogger('debug', (line, level) => lines.push({ line, level }), { now: () => AT });

    // Act
    log.info('invocation_done', { requestId: 'r1', processed: 1, ok: true });

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('info');
    expect(lines[0]!.line).toBe(
      '{"level":"info","timestamp":"2026-03-01T10:00:00.000Z","service":"touchpoint","event":"invocation_done","requestId":"r1","processed":1,"ok":true}',
    );
  });

  it('writes entries at or above its level only', () => {
    const levels: EntryLevel[] = [];
    const log = createLogger('warn', (_line, level) => levels.push(level));

    log.debug('hidden');
    log.info('hidden');
    log.warn('shown');
    log.error('shown');

    expect(levels).toEqual(['warn', 'error']);
  });

  it('writes nothing at all when silent', () => {
    const levels: EntryLevel[] = [];
    const log = createLogger('silent', (_line, level) => levels.push(level));

    log.error('hidden');

    expect(levels).toEqual([]);
  });

  it('keeps the level Lambda filters on even when a field is called `level`', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line), { service: 'touchpoint-eu' });

    log.error('personalize_configuration_error', { level: 'info', event: 'x' });

    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      service: 'touchpoint-eu',
      event: 'personalize_configuration_error',
      field_level: 'info',
      field_event: 'x',
    });
  });

  it('masks an email or a writeKey that slips into a field', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line));

    log.warn('message_invalid', { reason: 'bad user jane.doe@example.com', raw: '"writeKey":"abc123"' });

    expect(JSON.parse(lines[0]!)).toMatchObject({
      reason: 'bad user [email]',
      raw: '"writeKey":"[redacted]"',
    });
  });
});

describe('streamSink', () => {
  it('sends debug and info to stdout and warn and error to stderr, as JSON lines', () => {
    // Prepare
    const stdout = recordingStream();
    const stderr = recordingStream();
    const log = createLogger('debug', streamSink(stdout, stderr));

    // Act
    log.debug('d', { messageId: 'm1' });
    log.info('i', { messageId: 'm2' });
    log.warn('w', { messageId: 'm3' });
    log.error('e', { messageId: 'm4' });

    // Assess
    expect(parsedLines(stdout.text())).toEqual([
      expect.objectContaining({ level: 'debug', event: 'd', messageId: 'm1' }),
      expect.objectContaining({ level: 'info', event: 'i', messageId: 'm2' }),
    ]);
    expect(parsedLines(stderr.text())).toEqual([
      expect.objectContaining({ level: 'warn', event: 'w', messageId: 'm3' }),
      expect.objectContaining({ level: 'error', event: 'e', messageId: 'm4' }),
    ]);
    for (const line of parsedLines(stdout.text() + stderr.text())) {
      expect(new Date(line.timestamp as string).toISOString()).toBe(line.timestamp);
    }
  });

  it('is the default: info reaches process.stdout and error process.stderr, nothing goes through console', () => {
    // Prepare
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const log = createLogger('info');

      // Act
      log.info('invocation_done', { requestId: 'r1' });
      log.error('invocation_failed', { requestId: 'r2' });

      // Assess
      const written = (spy: jest.SpyInstance) => spy.mock.calls.map((call) => String(call[0])).join('');
      expect(parsedLines(written(out))).toEqual([
        expect.objectContaining({ level: 'info', event: 'invocation_done', requestId: 'r1' }),
      ]);
      expect(parsedLines(written(err))).toEqual([
        expect.objectContaining({ level: 'error', event: 'invocation_failed', requestId: 'r2' }),
      ]);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
      consoleError.mockRestore();
    }
  });
});
