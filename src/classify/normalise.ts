/**
 * Input normalisation (docs/attribution.md §2): the landing URL and the referrer, split by hand rather than
 * with `new URL`, because the classifier runs per event and only needs scheme, host, path and query. The
 * splitter is lenient on purpose: analytics data holds half-broken URLs that WHATWG parsing rejects. It
 * scans character codes and slices each part once, without regular expressions: on a shop's stream of
 * page views it is most of the classifier's time otherwise.
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

/** UrlParts and whether `raw` is already in the form normaliseLanding would rebuild, so it can be kept. */
interface SplitUrl extends UrlParts {
  canonical: boolean;
}

/** The default port of `scheme`, else null. A function, not a record: a lookup by a sliced key is slow. */
const defaultPortOf = (scheme: string): string | null =>
  scheme === 'https' ? '443' : scheme === 'http' ? '80' : null;

const CODE_SLASH = 47;
const CODE_QUESTION = 63;
const CODE_HASH = 35;
const CODE_BACKSLASH = 92;
const CODE_COLON = 58;
const CODE_AT = 64;
const CODE_DOT = 46;
const CODE_OPEN_BRACKET = 91;

/**
 * Splits what follows `scheme://` (or `//`) at `authorityStart`. `rawIsInput` says `raw` is the caller's
 * own string with its scheme spelt out in lower case (not `//...` read as https, nor a URL built here),
 * which `canonical` needs.
 */
function splitAfterAuthority(
  raw: string,
  authorityStart: number,
  scheme: string,
  rawIsInput: boolean,
): SplitUrl {
  const length = raw.length;
  let end = length;
  // One pass over the authority finds its end, the last '@' and ':', and the last upper-case or non-ASCII
  // character (hosts without one skip toLowerCase).
  let lastAt = -1;
  let lastColon = -1;
  let lastUpper = -1;
  for (let index = authorityStart; index < length; index += 1) {
    const code = raw.charCodeAt(index);
    // '/', '?', '#', '\' end the authority (browsers treat '\' like '/').
    if (code === CODE_SLASH || code === CODE_QUESTION || code === CODE_HASH || code === CODE_BACKSLASH) {
      end = index;
      break;
    }
    if (code === CODE_AT) lastAt = index;
    else if (code === CODE_COLON) lastColon = index;
    else if ((code >= 65 && code <= 90) || code >= 128) lastUpper = index;
  }
  const hostStart = lastAt >= 0 ? lastAt + 1 : authorityStart;
  let hostEnd = end;
  let port = '';
  if (raw.charCodeAt(hostStart) === CODE_OPEN_BRACKET && hostStart < end) {
    const close = raw.indexOf(']', hostStart);
    if (close >= 0 && close < end) {
      hostEnd = close + 1;
      if (raw.charCodeAt(hostEnd) === CODE_COLON && hostEnd < end) port = raw.slice(hostEnd + 1, end);
    }
  } else if (lastColon >= hostStart) {
    hostEnd = lastColon;
    port = raw.slice(lastColon + 1, end);
  }
  // One trailing dot goes (`example.com.`); lower-casing never adds or removes one.
  const dotted = hostEnd > hostStart && raw.charCodeAt(hostEnd - 1) === CODE_DOT;
  const rawHost = raw.slice(hostStart, dotted ? hostEnd - 1 : hostEnd);
  const host = lastUpper >= hostStart ? rawHost.toLowerCase() : rawHost;

  const hash = raw.indexOf('#', end);
  const beforeHash = hash < 0 ? length : hash;
  const question = raw.indexOf('?', end);
  const pathEnd = question >= 0 && question < beforeHash ? question : beforeHash;
  const path = raw.slice(end, pathEnd);
  const query = pathEnd < beforeHash ? raw.slice(pathEnd + 1, beforeHash) : '';
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);

  const portKept = port !== '' && defaultPortOf(scheme) !== port;
  const canonical =
    rawIsInput &&
    hostStart === authorityStart &&
    !dotted &&
    host === rawHost &&
    host !== '' &&
    (hostEnd === end ||
      (portKept && raw.charCodeAt(hostEnd) === CODE_COLON && hostEnd + 1 + port.length === end)) &&
    path !== '' &&
    (pathEnd === beforeHash || query !== '') &&
    (hash < 0 || fragment !== '');
  return { scheme, host, port, path, query, fragment, canonical };
}

/** `scheme://...` (scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )) or `//...`, else null. */
function split(raw: string): SplitUrl | null {
  const first = raw.charCodeAt(0);
  if (first === CODE_SLASH) {
    return raw.charCodeAt(1) === CODE_SLASH ? splitAfterAuthority(raw, 2, 'https', false) : null;
  }
  let upper = first >= 65 && first <= 90;
  if (!upper && !(first >= 97 && first <= 122)) return null;
  let index = 1;
  for (; index < raw.length; index += 1) {
    const code = raw.charCodeAt(index);
    if (code >= 65 && code <= 90) upper = true;
    else if (!(
      (code >= 97 && code <= 122) ||
      (code >= 48 && code <= 57) ||
      code === 43 ||
      code === 45 ||
      code === 46
    ))
      break;
  }
  if (
    raw.charCodeAt(index) !== CODE_COLON ||
    raw.charCodeAt(index + 1) !== CODE_SLASH ||
    raw.charCodeAt(index + 2) !== CODE_SLASH
  )
    return null;
  const spelt = raw.slice(0, index);
  return splitAfterAuthority(raw, index + 3, upper ? spelt.toLowerCase() : spelt, !upper);
}

/**
 * Splits `scheme://authority/path?query#fragment` (or scheme-relative `//authority/...`); returns null
 * for anything without an authority.
 */
export function splitUrl(raw: string): UrlParts | null {
  const parts = split(raw);
  if (!parts) return null;
  const { scheme, host, port, path, query, fragment } = parts;
  return { scheme, host, port, path, query, fragment };
}

/**
 * Host as docs/attribution.md §2 compares it: lower-case, port and trailing dot removed, one leading `www.`
 * stripped.
 */
export function stripWww(host: string): string {
  return host.charCodeAt(0) === 119 &&
    host.charCodeAt(1) === 119 &&
    host.charCodeAt(2) === 119 &&
    host.charCodeAt(3) === CODE_DOT
    ? host.slice(4)
    : host;
}

/** `value` trimmed; trim() is skipped when both ends are visible ASCII, as they nearly always are. */
function trimmed(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? value : value.trim();
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

/** Accepts `example.com`, `https://example.com/x` or `example.com:8080` and returns the bare host. */
function hostFromPageHost(pageHost: string | null | undefined): string | null {
  const given = trimmed(pageHost);
  if (given === '') return null;
  const parts = split(given.includes('//') ? given : `//${given}`);
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
  const raw = trimmed(pageUrl);
  const fallbackHost = hostFromPageHost(pageHost);
  let parts = raw === '' ? null : split(raw);
  if (!parts && raw !== '') {
    // Relative URL: resolve against the site root (a base path is never known here).
    const relative = raw.startsWith('/') || raw.startsWith('?') || raw.startsWith('#') ? raw : `/${raw}`;
    parts = splitAfterAuthority(`https://${fallbackHost ?? ''}${relative}`, 8, 'https', false);
  }
  if (!parts) {
    return { url: null, host: fallbackHost ? stripWww(fallbackHost) : null, query: '', fragmentQuery: '' };
  }
  const host = parts.host !== '' ? parts.host : fallbackHost;
  const port = parts.port !== '' && defaultPortOf(parts.scheme) !== parts.port ? `:${parts.port}` : '';
  const url =
    host === null
      ? null
      : parts.canonical
        ? raw
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

/**
 * Empty, `null`, `undefined` or any `about:` URL, case-insensitively, without lower-casing every referrer
 * (lower-casing never shortens these ASCII words, so longer strings cannot match them).
 */
function isAbsentReferrer(raw: string): boolean {
  if (raw === '') return true;
  if (raw.length <= 9) {
    const lower = raw.toLowerCase();
    if (lower === 'null' || lower === 'undefined') return true;
  }
  return (raw.charCodeAt(0) | 32) === 97 && raw.slice(0, 6).toLowerCase() === 'about:';
}
const LOOKS_LIKE_HOST = /^[a-z0-9][a-z0-9.-]*\.[a-z0-9-]+(?::\d+)?(?:[/?#]|$)/i;

/**
 * docs/attribution.md §2 item 4: trims the referrer and returns null when it is absent (empty, `null`,
 * `undefined`, `about:blank`, or a host without a dot). Scheme-less `host.tld/...` is read as http; the host
 * is lower-cased, one `www.` stripped, the port ignored. `android-app://<package>[/<scheme>/<host>]` keeps
 * the package as host and exposes the inner host.
 */
export function normaliseReferrer(referrer: string | null | undefined): Referrer | null {
  const raw = trimmed(referrer);
  if (isAbsentReferrer(raw)) return null;
  let parts: UrlParts | null = split(raw);
  if (!parts) {
    if (!LOOKS_LIKE_HOST.test(raw)) return null;
    parts = splitAfterAuthority(`http://${raw}`, 7, 'http', false);
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
