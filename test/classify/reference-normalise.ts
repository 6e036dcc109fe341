/**
 * The URL splitter as it was before issue 16 item 6 (regular expressions, a slice per step), kept verbatim
 * as the oracle of test/classify/normalise.property.test.ts: the hand-scanning rewrite in
 * src/classify/normalise.ts must give the same parts, landing and referrer for any input.
 */

/** The parts of an absolute URL the classifier reads. `query` and `fragment` exclude `?` and `#`. */
export interface UrlParts {
  scheme: string;
  /** lower-case, without userinfo, port or trailing dot; `www.` kept */
  host: string;
  port: string;
  path: string;
  query: string;
  fragment: string;
}

const SCHEME_PATTERN = /^([a-z][a-z0-9+.-]*):\/\//i;

function splitAfterAuthority(raw: string, authorityStart: number, scheme: string): UrlParts {
  let end = raw.length;
  for (let index = authorityStart; index < raw.length; index += 1) {
    const code = raw.charCodeAt(index);
    // '/', '?', '#', '\' end the authority (browsers treat '\' like '/').
    if (code === 47 || code === 63 || code === 35 || code === 92) {
      end = index;
      break;
    }
  }
  let authority = raw.slice(authorityStart, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  let port = '';
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    host = close < 0 ? authority : authority.slice(0, close + 1);
    if (close >= 0 && authority[close + 1] === ':') port = authority.slice(close + 2);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
  }
  host = host.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);

  const rest = raw.slice(end);
  const hash = rest.indexOf('#');
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? '' : rest.slice(hash + 1);
  const question = beforeHash.indexOf('?');
  return {
    scheme,
    host,
    port,
    path: question < 0 ? beforeHash : beforeHash.slice(0, question),
    query: question < 0 ? '' : beforeHash.slice(question + 1),
    fragment,
  };
}

/**
 * Splits `scheme://authority/path?query#fragment` (or scheme-relative `//authority/...`); returns null
 * for anything without an authority.
 */
export function splitUrl(raw: string): UrlParts | null {
  if (raw.startsWith('//')) return splitAfterAuthority(raw, 2, 'https');
  const match = SCHEME_PATTERN.exec(raw);
  if (!match || match[1] === undefined) return null;
  return splitAfterAuthority(raw, match[0].length, match[1].toLowerCase());
}

/**
 * Host as docs/attribution.md §2 compares it: lower-case, port and trailing dot removed, one leading `www.`
 * stripped.
 */
export function stripWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** The landing page as the classifier sees it. */
export interface Landing {
  /** normalised absolute URL, or null when it cannot be made absolute */
  url: string | null;
  /** page host for internal-referrer checks: lower-case, one `www.` stripped */
  host: string | null;
  /** the URL's search part (without `?`) */
  query: string;
  /** a query inside the fragment (`#/signup?utm_source=x` gives `utm_source=x`) */
  fragmentQuery: string;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Accepts `example.com`, `https://example.com/x` or `example.com:8080` and returns the bare host. */
function hostFromPageHost(pageHost: string | null | undefined): string | null {
  const trimmed = pageHost?.trim() ?? '';
  if (trimmed === '') return null;
  const parts = splitUrl(trimmed.includes('//') ? trimmed : `//${trimmed}`);
  return parts && parts.host !== '' ? parts.host : null;
}

function fragmentQueryOf(fragment: string): string {
  const question = fragment.indexOf('?');
  return question < 0 ? '' : fragment.slice(question + 1);
}

/**
 * docs/attribution.md §2 item 1 and §2 item 2: makes the landing URL absolute (relative URLs resolve against
 * the page host, over https), lower-cases scheme and host, drops userinfo and default ports, and exposes the
 * query and the query inside the fragment. A relative URL without a page host keeps its query but gets no
 * `url`.
 */
export function normaliseLanding(
  pageUrl: string | null | undefined,
  pageHost: string | null | undefined,
): Landing {
  const raw = pageUrl?.trim() ?? '';
  const fallbackHost = hostFromPageHost(pageHost);
  let parts = raw === '' ? null : splitUrl(raw);
  if (!parts && raw !== '') {
    // Relative URL: resolve against the site root (a base path is never known here).
    const relative = raw.startsWith('/') || raw.startsWith('?') || raw.startsWith('#') ? raw : `/${raw}`;
    parts = splitAfterAuthority(`https://${fallbackHost ?? ''}${relative}`, 8, 'https');
  }
  if (!parts) {
    return { url: null, host: fallbackHost ? stripWww(fallbackHost) : null, query: '', fragmentQuery: '' };
  }
  const host = parts.host !== '' ? parts.host : fallbackHost;
  const port = parts.port !== '' && DEFAULT_PORTS[parts.scheme] !== parts.port ? `:${parts.port}` : '';
  const url =
    host === null
      ? null
      : `${parts.scheme}://${host}${port}${parts.path === '' ? '/' : parts.path}` +
        (parts.query !== '' ? `?${parts.query}` : '') +
        (parts.fragment !== '' ? `#${parts.fragment}` : '');
  return {
    url,
    host: host === null ? null : stripWww(host),
    query: parts.query,
    fragmentQuery: fragmentQueryOf(parts.fragment),
  };
}

/** The referrer as the classifier sees it (docs/attribution.md §2 item 4). */
export interface Referrer {
  /** lower-case host, one `www.` stripped, no port; for android-app:// the package name */
  host: string;
  path: string;
  query: string;
  /** true for `android-app://` referrers, which are never internal */
  app: boolean;
  /** `android-app://<package>/<scheme>/<host>`: the inner host, else null */
  innerHost: string | null;
}

const ABSENT_REFERRERS = new Set(['', 'null', 'undefined', 'about:blank']);
const LOOKS_LIKE_HOST = /^[a-z0-9][a-z0-9.-]*\.[a-z0-9-]+(?::\d+)?(?:[/?#]|$)/i;

/**
 * docs/attribution.md §2 item 4: trims the referrer and returns null when it is absent (empty, `null`,
 * `undefined`, `about:blank`, or a host without a dot). Scheme-less `host.tld/...` is read as http; the host
 * is lower-cased, one `www.` stripped, the port ignored. `android-app://<package>[/<scheme>/<host>]` keeps
 * the package as host and exposes the inner host.
 */
export function normaliseReferrer(referrer: string | null | undefined): Referrer | null {
  const raw = referrer?.trim() ?? '';
  if (ABSENT_REFERRERS.has(raw.toLowerCase()) || raw.toLowerCase().startsWith('about:')) return null;
  let parts = splitUrl(raw);
  if (!parts) {
    if (!LOOKS_LIKE_HOST.test(raw)) return null;
    parts = splitAfterAuthority(`http://${raw}`, 7, 'http');
  }
  if (parts.scheme === 'android-app') {
    if (parts.host === '') return null;
    // `/https/www.google.com/...`: the second path segment is the host the app was showing.
    const segments = parts.path.split('/');
    const inner = segments[2] ? stripWww(segments[2].toLowerCase()) : '';
    return {
      host: parts.host,
      path: segments.length > 3 ? `/${segments.slice(3).join('/')}` : '',
      query: parts.query,
      app: true,
      innerHost: inner.includes('.') ? inner : null,
    };
  }
  if (!parts.host.includes('.')) return null;
  return { host: stripWww(parts.host), path: parts.path, query: parts.query, app: false, innerHost: null };
}
