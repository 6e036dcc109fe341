import { normaliseLanding, normaliseReferrer, splitUrl, stripWww } from '../../src/classify/normalise';

describe('splitUrl', () => {
  it('splits scheme, host, port, path, query and fragment, dropping userinfo', () => {
    expect(splitUrl('HTTPS://user:pw@Www.Example.COM:8443/a/b?x=1&y=2#/route?z=3')).toEqual({
      scheme: 'https',
      host: 'www.example.com',
      port: '8443',
      path: '/a/b',
      query: 'x=1&y=2',
      fragment: '/route?z=3',
    });
  });

  it('reads scheme-relative URLs and IPv6 hosts', () => {
    expect(splitUrl('//cdn.example.com/x')?.host).toBe('cdn.example.com');
    expect(splitUrl('http://[::1]:3000/')).toMatchObject({ host: '[::1]', port: '3000' });
  });

  it('lower-cases IDN hosts as given, without punycode, and keeps a non-default port', () => {
    expect(splitUrl('https://BÜCHER.de:8080/x')).toMatchObject({ host: 'bücher.de', port: '8080' });
  });

  it('drops every userinfo up to the last @ and reads a port after an empty host', () => {
    expect(splitUrl('http://a@b:c@Example.com/')?.host).toBe('example.com');
    expect(splitUrl('http://:80/')).toMatchObject({ host: '', port: '80' });
  });

  it('returns null without an authority', () => {
    expect(splitUrl('/relative/path')).toBeNull();
    expect(splitUrl('mailto:someone@example.com')).toBeNull();
  });
});

describe('stripWww', () => {
  it('strips exactly one leading www.', () => {
    expect(stripWww('www.www.example.com')).toBe('www.example.com');
    expect(stripWww('wwwexample.com')).toBe('wwwexample.com');
  });
});

describe('normaliseLanding', () => {
  it('lower-cases scheme and host, drops default ports and adds a root path', () => {
    expect(normaliseLanding('HTTP://Example.com:80', null).url).toBe('http://example.com/');
  });

  it('keeps a URL that is already normal as it was given', () => {
    const raw = 'https://shop.example.com:8443/a?utm_source=x#top';

    expect(normaliseLanding(raw, null).url).toBe(raw);
  });

  it.each([
    ['HTTPS://shop.example.com/a', 'https://shop.example.com/a'],
    ['https://Shop.Example.com/a', 'https://shop.example.com/a'],
    ['https://user:pw@shop.example.com/a', 'https://shop.example.com/a'],
    ['https://shop.example.com:443/a', 'https://shop.example.com/a'],
    ['https://shop.example.com:/a', 'https://shop.example.com/a'],
    ['https://shop.example.com./a', 'https://shop.example.com/a'],
    ['https://shop.example.com?x=1', 'https://shop.example.com/?x=1'],
    ['https://shop.example.com/a?', 'https://shop.example.com/a'],
    ['https://shop.example.com/a#', 'https://shop.example.com/a'],
    ['//shop.example.com/a', 'https://shop.example.com/a'],
  ])('rebuilds %j as %j', (raw, url) => {
    expect(normaliseLanding(raw, null).url).toBe(url);
  });

  it('resolves a relative URL against the page host over https', () => {
    const landing = normaliseLanding('/pricing?utm_source=x#top', 'www.example.com');

    expect(landing.url).toBe('https://www.example.com/pricing?utm_source=x#top');
    expect(landing.host).toBe('example.com');
    expect(landing.query).toBe('utm_source=x');
  });

  it('accepts a page host given as a URL', () => {
    expect(normaliseLanding('/a', 'https://shop.example.com/x').url).toBe('https://shop.example.com/a');
  });

  it('keeps the query of a relative URL when there is no page host, but no absolute url', () => {
    const landing = normaliseLanding('?utm_source=x', null);

    expect(landing.url).toBeNull();
    expect(landing.query).toBe('utm_source=x');
  });

  it('exposes the query inside a hash route', () => {
    expect(normaliseLanding('https://example.com/#/signup?utm_source=x', null).fragmentQuery).toBe(
      'utm_source=x',
    );
    expect(normaliseLanding('https://example.com/#section', null).fragmentQuery).toBe('');
  });

  it('uses the page host when there is no URL', () => {
    expect(normaliseLanding(null, 'WWW.Example.com')).toEqual({
      url: null,
      host: 'example.com',
      query: '',
      fragmentQuery: '',
    });
  });
});

describe('normaliseReferrer', () => {
  it.each([
    '',
    '   ',
    'null',
    'undefined',
    'about:blank',
    'About:Blank',
    'DIRECT',
    'NULL',
    'Undefined',
    'about:srcdoc',
    'ABOUT://www.example.com/',
    'http://localhost:3000/',
    'file:///tmp/a.html',
  ])('treats %j as absent', (referrer) => {
    expect(normaliseReferrer(referrer)).toBeNull();
  });

  it('treats null and undefined as absent', () => {
    expect(normaliseReferrer(null)).toBeNull();
    expect(normaliseReferrer(undefined)).toBeNull();
  });

  it('lower-cases the host, strips one www. and ignores the port', () => {
    expect(normaliseReferrer(' https://WWW.Reddit.com:443/r/x?q=1 ')).toEqual({
      host: 'reddit.com',
      path: '/r/x',
      query: 'q=1',
      app: false,
      innerHost: null,
    });
  });

  it('reads scheme-less host.tld referrers as http', () => {
    expect(normaliseReferrer('news.ycombinator.com/item?id=1')).toMatchObject({
      host: 'news.ycombinator.com',
      path: '/item',
      query: 'id=1',
    });
  });

  it('does not read a plain word as a host', () => {
    expect(normaliseReferrer('newsletter')).toBeNull();
  });

  it('keeps the package of android-app referrers and exposes the inner host', () => {
    expect(normaliseReferrer('android-app://com.google.android.gm')).toEqual({
      host: 'com.google.android.gm',
      path: '',
      query: '',
      app: true,
      innerHost: null,
    });
    expect(
      normaliseReferrer('android-app://com.example.browser/https/www.news.example.org/a/b'),
    ).toMatchObject({
      host: 'com.example.browser',
      innerHost: 'news.example.org',
      path: '/a/b',
    });
  });
});
