import { maskEmails, scrub, scrubText } from '../../src/log';
import { seededRandom } from '../../src/generate';
import { quadraticRatio } from '../support/linear-time';

/** The expression the scanner replaces; quadratic, so only ever run here on short strings. */
const REFERENCE_EMAIL = /[^\s@"]+@[^\s@"]+\.[a-z]{2,}/gi;

describe('scrub', () => {
  it('masks emails and write keys that slip into a field, and leaves other values alone', () => {
    expect(
      scrub({ reason: 'bad user jane.doe@example.com', raw: '"writeKey":"abc123"', count: 2, none: null }),
    ).toEqual({ reason: 'bad user [email]', raw: '"writeKey":"[redacted]"', count: 2, none: null });
  });

  it.each([
    ['writeKey=abc123 x=1', 'writeKey=[redacted] x=1'],
    ['{"writeKey": "k1", "a": "b@c.io"}', '{"writeKey": "[redacted]", "a": "[email]"}'],
    ['to A.B+tag@Mail.Example.COM.', 'to [email].'],
    ['x@y.z and @foo.com and a@b', 'x@y.z and @foo.com and a@b'],
    ['a@b@c.com', 'a@[email]'],
    ['first@a.io,second@b.io', '[email][email]'],
    ['mail:\u00a0jane@example.org\u3000end', 'mail:\u00a0[email]\u3000end'],
  ])('scrubText(%j) is %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('masks exactly what the email regular expression it replaces masks', () => {
    // Prepare: short random strings over the characters that matter to either
    const alphabet = ['a', 'Z', 'q', '1', '-', '.', '.', '@', '@', ' ', '"', '\t', '\u00a0', '\u2028', 'é'];
    const random = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = Math.floor(random() * 24);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];

      // Act + Assess
      expect([text, maskEmails(text)]).toEqual([text, text.replace(REFERENCE_EMAIL, '[email]')]);
    }
  });

  it('stops addresses at exactly the characters \\s, @ and " stop them at, for every UTF-16 code unit', () => {
    const stops = /[\s@"]/;
    const differing: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      const text = `a${char}b@c${char}d.com`;
      if (maskEmails(text) !== text.replace(REFERENCE_EMAIL, '[email]')) differing.push(code.toString(16));
      if (stops.test(char) !== maskEmails(`x${char}b@c.de`).startsWith(`x${char}`))
        differing.push(code.toString(16));
    }
    expect(differing).toEqual([]);
  });

  it('takes linear time: one 1 MB string without spaces costs about what sixteen 64 KB strings cost', () => {
    // Prepare: the shapes that make a backtracking matcher rescan (long runs with and without `@`,
    // domains without a dot, writeKey followed by long whitespace), each as 1 MB and as 64 KB.
    const shapes = [
      (n: number) => 'a'.repeat(n),
      (n: number) => 'a'.repeat(n / 2) + '@' + 'b'.repeat(n / 2 - 1),
      (n: number) => 'a@'.repeat(n / 2),
      (n: number) => 'x@y.'.repeat(n / 4),
      (n: number) => 'writeKey' + ' '.repeat(n - 9) + ',',
      (n: number) => 'writeKey:'.repeat(Math.floor(n / 9)),
    ];

    // Act
    const ratio = quadraticRatio(scrubText, shapes);

    // Assess: linear gives a ratio near 1; quadratic gives 16 (the old expression took 1.7 s for 32 KB)
    expect(ratio).toBeLessThan(4);
  });
});
