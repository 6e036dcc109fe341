import fc from 'fast-check';
import { normaliseLanding, normaliseReferrer, splitUrl } from '../../src/classify/normalise';
import * as reference from './reference-normalise';

/**
 * The hand-scanning URL splitter against two oracles: the splitter it replaced (same parts, landing and
 * referrer for any string at all), and WHATWG `new URL()` (same host, port, query and fragment on the
 * well-formed URLs both read). Seeded with a fixed number of runs, so a failure reproduces.
 */
const SEED = 0x16_06;
const RUNS = 10_000;
/** generating well-formed URLs by pattern is slower: fewer runs against new URL() */
const WHATWG_RUNS = 2_000;

const piece = (values: readonly string[]) => fc.constantFrom(...values);
/** Mostly absent: a piece that would hide the others (leading blanks make any string scheme-less). */
const rarely = (values: readonly string[]) =>
  fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: piece(values), weight: 1 });

/** URL-shaped text from the pieces where splitters go wrong, in any order of presence. */
const urlish = fc
  .tuple(
    rarely([' ', '\t']),
    piece([
      '',
      'http',
      'HTTPS',
      'https',
      'android-app',
      'Android-App',
      'ftp',
      'h',
      'x+y.z-',
      '1http',
      'about',
      'file',
    ]),
    piece(['://', '://', '://', '//', ':/', ':', '', ':\\\\']),
    piece(['', 'user@', 'user:pw@', '@', 'a@b@', 'u%40x:p@ss@']),
    piece(['', 'www.', 'WWW.', 'm.', 'www.www.', '.']),
    piece([
      'example.com',
      'Example.COM',
      'bücher.de',
      'BÜCHER.DE',
      'xn--bcher-kva.de',
      'localhost',
      '[::1]',
      '[::1',
      'a]b',
      '127.0.0.1',
      'shop.example.co.uk',
      'com.google.android.gm',
      '',
    ]),
    piece(['', '.', '..']),
    piece(['', ':', ':80', ':443', ':8080', ':abc', '::1']),
    piece(['', '/', '/a/b', '\\x', '/https/www.google.com/search', '/Search', '//x', '/ä', '/%41', '/a b']),
    piece(['', '?', '?q=1', '?utm_source=X&amp;utm_medium=y', '?a?b=c', '?x=%E0', '?#']),
    piece(['', '#', '#top', '#/route?utm_source=z', '#a#b']),
    rarely([' ', '\n']),
  )
  .map((parts) => parts.join(''));

/** Any text over the characters that matter to URL splitting, plus a few others. */
const urlCharacters = fc.string({
  unit: fc.constantFrom(...'aAzZ09.-+:/\\?#@[]%&=_ \tüİK'.split('')),
  maxLength: 40,
});

const anyInput = fc.oneof(urlish, urlCharacters, fc.string({ unit: 'binary', maxLength: 40 }));
const pageHost = fc.option(
  fc.oneof(urlish, piece(['example.com', 'WWW.Shop.Example.com:8080', 'https://x.io/p'])),
  {
    nil: null,
  },
);

describe('URL splitter against the splitter it replaced', () => {
  it('gives the same parts for any string', () => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        expect(splitUrl(raw)).toEqual(reference.splitUrl(raw));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('normalises any landing URL and page host the same way', () => {
    fc.assert(
      fc.property(fc.option(anyInput, { nil: null }), pageHost, (raw, host) => {
        expect(normaliseLanding(raw, host)).toEqual(reference.normaliseLanding(raw, host));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('normalises any referrer the same way', () => {
    fc.assert(
      fc.property(fc.option(anyInput, { nil: null }), (raw) => {
        expect(normaliseReferrer(raw)).toEqual(reference.normaliseReferrer(raw));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
const wellFormed = fc.record({
  scheme: piece(['http', 'https', 'HTTP', 'Https']),
  userinfo: piece(['', 'user@', 'user:secret@']),
  labels: fc.array(label, { minLength: 1, maxLength: 4 }),
  tld: piece(['com', 'co.uk', 'DE', 'io']),
  port: piece(['', ':80', ':443', ':8080', ':3000']),
  path: fc
    .array(fc.stringMatching(/^[a-z0-9_-]{0,6}$/), { maxLength: 3 })
    .map((segments) => segments.map((segment) => `/${segment}`).join('')),
  query: fc.option(fc.stringMatching(/^[a-zA-Z0-9_=&.-]{0,20}$/), { nil: null }),
  fragment: fc.option(fc.stringMatching(/^[a-zA-Z0-9_=&/?-]{0,12}$/), { nil: null }),
});

describe('URL splitter against new URL()', () => {
  it('reads the host, port, query and fragment WHATWG reads from well-formed http(s) URLs', () => {
    fc.assert(
      fc.property(wellFormed, (parts) => {
        const raw =
          `${parts.scheme}://${parts.userinfo}${parts.labels.join('.')}.${parts.tld}${parts.port}${parts.path}` +
          (parts.query === null ? '' : `?${parts.query}`) +
          (parts.fragment === null ? '' : `#${parts.fragment}`);
        const whatwg = new URL(raw);
        const ours = splitUrl(raw);
        const defaultPort = ours?.scheme === 'https' ? '443' : '80';

        expect(ours).not.toBeNull();
        expect(ours?.scheme).toBe(whatwg.protocol.slice(0, -1));
        expect(ours?.host).toBe(whatwg.hostname);
        expect(ours?.port === defaultPort ? '' : ours?.port).toBe(whatwg.port);
        expect(ours?.path === '' ? '/' : ours?.path).toBe(whatwg.pathname);
        expect(ours?.query).toBe(whatwg.search.slice(1));
        expect(ours?.fragment).toBe(whatwg.hash.slice(1));
        // The landing URL: WHATWG's, without userinfo and with an empty `?` or `#` dropped.
        expect(normaliseLanding(raw, null).url).toBe(
          `${whatwg.protocol}//${whatwg.host}${whatwg.pathname}${whatwg.search}${whatwg.hash}`,
        );
      }),
      { seed: SEED, numRuns: WHATWG_RUNS },
    );
  });
});
