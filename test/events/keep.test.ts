import { DEFAULT_KEEP_LIMITS, isSecretKey, keepPayload, maskSecretsInText } from '../../src/events';
import { quadraticRatio } from '../support/linear-time';

/** A value nested `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = { a: [value] };
  return value;
}

describe('keepPayload', () => {
  it('keeps a normal message whole, minus credential-like keys at any depth', () => {
    const raw = {
      type: 'page',
      writeKey: 'wk-1',
      context: {
        headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k' },
        page: { url: 'https://a.example/' },
      },
      properties: { items: [{ password: 'hunter2', sku: 'S1' }], access_token: 't', secretAnswer: 's' },
      traits: { email: 'jane@example.com' },
    };
    expect(keepPayload(raw)).toEqual({
      payload: {
        type: 'page',
        context: { headers: {}, page: { url: 'https://a.example/' } },
        properties: { items: [{ sku: 'S1' }] },
        traits: { email: 'jane@example.com' },
      },
      note: null,
    });
  });

  it('masks credentials in text that is not JSON, and in strings of JSON text', () => {
    expect(maskSecretsInText('{"writeKey": "abc", "x": 1')).toBe('{"writeKey": "[redacted]", "x": 1');
    expect(maskSecretsInText('authorization: Bearer abc.def&password=hunter2')).toBe(
      'authorization: Bearer [redacted]&password=[redacted]',
    );
    expect(keepPayload('{"type":"page","writeKey":"wk-2"}').payload).toBe(
      '{"type":"page","writeKey":"[redacted]"}',
    );
  });

  it('cuts nesting at 32 levels without recursion, 10,000 deep included, and says so', () => {
    const kept = keepPayload(nested(10_000));
    expect(kept.note).toBe('payload nested deeper than 32');
    const text = JSON.stringify(kept.payload);
    expect(text).toContain('[nested deeper than 32]');
    expect(text.length).toBeLessThan(1000);
  });

  it('cuts size at about 64,000 characters of JSON, escapes included, and keeps arrays without holes', () => {
    const huge = {
      a: 'x'.repeat(5_000_000),
      b: '\u0000'.repeat(100_000),
      list: Array.from({ length: 100_000 }, (_, i) => i),
    };
    const kept = keepPayload(huge);
    const text = JSON.stringify(kept.payload);
    expect(kept.note).toBe('payload cut at 64,000 characters');
    expect(text.length).toBeLessThan(DEFAULT_KEEP_LIMITS.maxChars + 1000);
    expect(text).not.toContain('null');
  });

  it('turns values that are not JSON into null and never throws', () => {
    expect(keepPayload({ a: undefined, b: () => 1, c: Number.NaN, d: 10n }).payload).toEqual({
      a: null,
      b: null,
      c: null,
      d: null,
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(keepPayload(cyclic).note).toBe('payload nested deeper than 32');
  });

  it('recognises credential-like keys however they are spelled', () => {
    for (const key of [
      'writeKey',
      'write_key',
      'Authorization',
      'authorisation',
      'PASSWORD',
      'passwd',
      'api_key',
      'apiKey',
      'refreshToken',
      'client_secret',
      'Cookie',
      'credentials',
    ])
      expect(isSecretKey(key)).toBe(true);
    for (const key of ['email', 'keyword', 'author', 'url', 'messageId'])
      expect(isSecretKey(key)).toBe(false);
  });

  it('masks in linear time: one 1 MB text costs about what sixteen 64 KB texts cost', () => {
    const shapes = [
      (n: number) => 'token' + ' '.repeat(n - 6) + '=',
      (n: number) => 'password:'.repeat(Math.floor(n / 9)),
      (n: number) => 'secret= bearer '.repeat(Math.floor(n / 15)),
      (n: number) => 'a'.repeat(n),
    ];
    expect(quadraticRatio(maskSecretsInText, shapes)).toBeLessThan(4);
  });
});
