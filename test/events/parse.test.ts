import { parseEnvelope, parseMessage, toIsoTimestamp, unwrapEnvelope } from '../../src/events';
import { seededRandom } from '../../src/generate';

const page = { type: 'page', messageId: 'm1', anonymousId: 'a1', timestamp: '2026-03-01T10:00:00+01:00' };

describe('unwrapEnvelope', () => {
  it('accepts one message, an array, a {batch} and a JSON string of any of them', () => {
    expect(unwrapEnvelope(page)).toEqual([page]);
    expect(unwrapEnvelope([page, page])).toHaveLength(2);
    expect(unwrapEnvelope({ batch: [page] })).toEqual([page]);
    expect(unwrapEnvelope(JSON.stringify({ batch: [page] }))).toEqual([page]);
    expect(unwrapEnvelope('{oops')).toEqual(['{oops']);
  });
});

describe('parseMessage', () => {
  it('normalises timestamps to ISO-8601 UTC and ids to trimmed strings', () => {
    const parsed = parseMessage({ ...page, userId: 42, anonymousId: ' a1 ' });
    expect(parsed).toMatchObject({
      kind: 'message',
      message: { timestamp: '2026-03-01T09:00:00.000Z', userId: '42', anonymousId: 'a1' },
    });
  });

  it('falls back to originalTimestamp, then receivedAt', () => {
    const { timestamp: _t, ...rest } = page;
    expect(parseMessage({ ...rest, receivedAt: '2026-03-02T00:00:00Z' })).toMatchObject({
      message: { timestamp: '2026-03-02T00:00:00.000Z' },
    });
  });

  it('uses only the field it takes the time from: a bad receivedAt beside a good timestamp is no error', () => {
    expect(parseMessage({ ...page, receivedAt: 'later', originalTimestamp: 12 })).toMatchObject({
      kind: 'message',
      message: { timestamp: '2026-03-01T09:00:00.000Z' },
    });
  });

  it.each([
    [{ ...page, anonymousId: undefined }, 'userId: needs a userId or an anonymousId'],
    [{ ...page, anonymousId: '' }, 'needs a userId or an anonymousId'],
    [{ ...page, messageId: '' }, 'messageId'],
    [{ ...page, timestamp: 'soon' }, 'timestamp: not a date'],
    [{ type: 'track', messageId: 'm', anonymousId: 'a', timestamp: '2026-01-01T00:00:00Z' }, 'event'],
    [{ type: 'alias', messageId: 'm', userId: 'u', timestamp: '2026-01-01T00:00:00Z' }, 'previousId'],
    [
      { type: 'delete', messageId: 'm', anonymousId: 'a', timestamp: '2026-01-01T00:00:00Z' },
      'delete needs a userId',
    ],
    [{ messageId: 'm' }, 'missing "type"'],
    [[1, 2], 'expected an object, got an array'],
  ])('rejects %j with a reason mentioning %s', (raw, reason) => {
    const parsed = parseMessage(raw);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain(reason);
  });

  it('ignores an unsupported type with a reason that does not quote it', () => {
    expect(parseMessage({ ...page, type: 'jane@example.com' })).toEqual({
      kind: 'ignored',
      messageId: 'm1',
      reason: 'type: not one touchpoint handles',
    });
  });

  it('keeps a numeric messageId as a string, and says so for a JSON string holding JSON', () => {
    expect(parseMessage({ type: 'page', messageId: 12345 })).toMatchObject({
      kind: 'invalid',
      messageId: '12345',
    });
    expect(parseMessage(JSON.stringify(page))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('double-encoded JSON'),
    });
    expect(parseMessage('{oops')).toMatchObject({ kind: 'invalid', reason: 'not JSON' });
    // what a Lambda payload looks like when the sender stringified twice
    expect(parseEnvelope(JSON.stringify(JSON.stringify(page)))).toMatchObject([
      { kind: 'invalid', reason: expect.stringContaining('double-encoded JSON') },
    ]);
  });

  it('names the field of a bad value and never quotes the value', () => {
    const parsed = parseMessage({ ...page, timestamp: 'call +1 415 555 0100' });
    expect(parsed).toMatchObject({ kind: 'invalid', reason: 'timestamp: not a date' });
  });
});

describe('parseMessage timestamp bounds', () => {
  const now = () => Date.parse('2026-06-01T00:00:00.000Z');
  const at = (timestamp: string | number, extra: Record<string, unknown> = {}) =>
    parseMessage({ ...page, timestamp, ...extra }, { now });

  it.each([
    [8.64e15, 'timestamp: more than 24 h after receivedAt/sentAt'],
    [-8.64e15, 'timestamp: before 2000-01-01T00:00:00.000Z'],
    ['+275760-09-13T00:00:00.000Z', 'timestamp: more than 24 h'],
    ['-271821-04-20T00:00:00.000Z', 'timestamp: before'],
    ['10000-01-01T00:00:00.000Z', 'timestamp: not a date'],
    ['+010000-01-01T00:00:00.000Z', 'timestamp: more than 24 h'],
    ['0100-01-01T00:00:00.000Z', 'timestamp: before'],
    ['1970-01-01T00:00:00.000Z', 'timestamp: before'],
    [0, 'timestamp: before'],
    ['1999-12-31T23:59:59.999Z', 'timestamp: before'],
    ['2026-06-02T00:00:00.001Z', 'timestamp: more than 24 h'],
  ])('dead-letters %j: %s', (timestamp, reason) => {
    const parsed = at(timestamp);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain(reason);
  });

  it('accepts the edges of the range, and measures the future from receivedAt (else sentAt)', () => {
    expect(at('2000-01-01T00:00:00.000Z').kind).toBe('message');
    expect(at('2026-06-02T00:00:00.000Z').kind).toBe('message');
    const received = { receivedAt: '2024-03-01T00:00:00.000Z' };
    expect(at('2024-03-01T23:00:00.000Z', received).kind).toBe('message');
    expect(at('2024-03-02T01:00:00.000Z', received)).toMatchObject({ kind: 'invalid' });
    expect(at('2024-03-02T01:00:00.000Z', { sentAt: '2024-03-01T00:00:00.000Z' })).toMatchObject({
      kind: 'invalid',
    });
    // a receivedAt in the future does not widen the range past now + 24 h
    expect(at('2030-01-01T00:00:00.000Z', { receivedAt: '2030-01-01T00:00:00.000Z' })).toMatchObject({
      kind: 'invalid',
    });
  });

  it('names the field the time came from, and takes configured bounds', () => {
    const { timestamp: _t, ...rest } = page;
    expect(parseMessage({ ...rest, originalTimestamp: '1990-01-01T00:00:00Z' }, { now })).toMatchObject({
      reason: expect.stringMatching(/^originalTimestamp: before/),
    });
    const bounds = { earliest: '2020-01-01T00:00:00.000Z', futureToleranceHours: 1 };
    expect(
      parseMessage({ ...page, timestamp: '2019-06-01T00:00:00Z' }, { now, timestamps: bounds }),
    ).toMatchObject({
      reason: 'timestamp: before 2020-01-01T00:00:00.000Z',
    });
    expect(
      parseMessage({ ...page, timestamp: '2026-06-01T02:00:00Z' }, { now, timestamps: bounds }),
    ).toMatchObject({
      reason: 'timestamp: more than 1 h after receivedAt/sentAt',
    });
  });
});

describe('parseEnvelope', () => {
  it('parses each message of a batch independently', () => {
    const results = parseEnvelope({ batch: [page, { type: 'page' }] });
    expect(results.map((result) => result.kind)).toEqual(['message', 'invalid']);
  });
});

describe('toIsoTimestamp', () => {
  it('gives what Date gives, for canonical strings (fast path) and every other form', () => {
    const random = seededRandom(11);
    const samples: Array<string | number> = [];
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(random() * 4e12);
      samples.push(ms, new Date(ms).toISOString(), new Date(ms).toUTCString());
    }
    for (const sample of samples) expect(toIsoTimestamp(sample)).toBe(new Date(sample).toISOString());
  });

  it('normalises out-of-range days as Date does and rejects what is not a date', () => {
    expect(toIsoTimestamp('2026-02-30T00:00:00.000Z')).toBe(
      new Date('2026-02-30T00:00:00.000Z').toISOString(),
    );
    expect(toIsoTimestamp('2026-02-29T10:00:00.000Z')).toBe(
      new Date('2026-02-29T10:00:00.000Z').toISOString(),
    );
    expect(toIsoTimestamp('2026-13-01T00:00:00.000Z')).toBeNull();
    expect(toIsoTimestamp('soon')).toBeNull();
  });
});
