/**
 * URLs as traits may carry them (README "PII policy"): the referrer and landing page go to every tool
 * downstream of Segment, and query strings often hold `?email=...&phone=...` or session tokens. Only
 * the allowed parameters (campaign and click-id ones by default) are kept; the fragment and any
 * `user:password@` go always.
 */

/** The parameters kept by default: UTM campaign fields and the click ids the classifier knows. */
export const DEFAULT_URL_PARAMETERS: readonly string[] = Object.freeze([
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'utm_id',
  'gclid',
  'gbraid',
  'wbraid',
  'gad_source',
  'gclsrc',
  'dclid',
  'msclkid',
  'ttclid',
  'li_fat_id',
  'twclid',
  'sccid',
  'epik',
  'rdt_cid',
  'yclid',
  'irclickid',
  'awc',
  'cjevent',
  'mc_cid',
  'fbclid',
]);

const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/**
 * `url` with only the query parameters whose (decoded, lower-cased) names are in `allowed`, without its
 * fragment and credentials. Text that is not a URL is returned with the same cuts. Linear in its length.
 */
export function keepAllowedParameters(url: string, allowed: ReadonlySet<string>): string {
  const hash = url.indexOf('#');
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  const base = (question === -1 ? withoutFragment : withoutFragment.slice(0, question)).replace(
    USER_INFO,
    '$1',
  );
  if (question === -1) return base;
  const kept = withoutFragment
    .slice(question + 1)
    .split('&')
    .filter((pair) => allowed.has(parameterName(pair)));
  return kept.length > 0 ? `${base}?${kept.join('&')}` : base;
}

function parameterName(pair: string): string {
  const equals = pair.indexOf('=');
  const raw = (equals === -1 ? pair : pair.slice(0, equals)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw).trim().toLowerCase();
  } catch {
    return raw.trim().toLowerCase();
  }
}
