import { parseEnvelope, parseMessage, redact, toIsoTimestamp, unwrapEnvelope } from '../../src/events';
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

  it('ignores an unsupported type with a reason instead of rejecting it', () => {
    expect(parseMessage({ ...page, type: 'subscribe' })).toEqual({
      kind: 'ignored',
      messageId: 'm1',
      reason: 'unsupported type "subscribe"',
    });
  });

  it('never keeps the writeKey of an invalid message', () => {
    const parsed = parseMessage({ type: 'page', messageId: 'm1', writeKey: 'SECRET', timestamp: 'x' });
    expect(JSON.stringify(parsed)).not.toContain('SECRET');
  });
});

describe('redact', () => {
  it('removes writeKey from objects and from raw strings', () => {
    expect(redact({ a: 1, writeKey: 'k' })).toEqual({ a: 1 });
    expect(redact('{"writeKey": "abc", "x": 1')).toBe('{"writeKey":"[redacted]", "x": 1');
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
