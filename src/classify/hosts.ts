/**
 * Referrer host lookup (docs/attribution.md §5) over the generated tables: host suffix, host+path prefix and
 * brand label rules, the most specific match winning. Everything here is derived from a host string alone, so
 * results are memoised per host; the cache is bounded and only ever holds pure results.
 */

import { parse as parseHost } from 'tldts';
import { HOST_TABLES } from './generated/host-tables';
import type { SourceKind } from './host-table-types';

/** A rule from the tables, with its search-term parameters split once at load. */
export interface SourceRule {
  source: string;
  kind: SourceKind;
  searchParams: ReadonlySet<string>;
}

/** A rule and the words `explain` uses for the pattern that matched it. */
export interface RuleMatch {
  rule: SourceRule;
  /** e.g. `host-suffix mail.google.com`, `brand google.{}`, `host+path bing.com/images` */
  pattern: string;
}

interface PathMatch extends RuleMatch {
  prefix: string;
  labels: number;
}

/** What is known about one host, independent of the page and the options. */
export interface HostFacts {
  /** registrable domain (eTLD+1 by the Public Suffix List, private section included), else the host */
  domain: string;
  /** registrable-domain label (`google` for google.co.uk), for brand-style lists such as `klarna` */
  brandLabel: string | null;
  /** the most specific host-suffix or brand rule, ignoring paths */
  match: RuleMatch | null;
  /** host+path and brand+path rules that could apply, most specific first */
  pathMatches: readonly PathMatch[] | null;
}

const RULES: readonly SourceRule[] = HOST_TABLES.rules.map(([source, kind, params]) => ({
  source,
  kind,
  searchParams: new Set(params === '' ? [] : params.split(',')),
}));

const ruleAt = (index: number): SourceRule => {
  const rule = RULES[index];
  if (!rule) throw new Error(`host tables: no rule ${index}`);
  return rule;
};

const HOST_RULES = new Map(HOST_TABLES.hosts.map(([host, index]) => [host, ruleAt(index)]));
const BRAND_RULES = new Map(HOST_TABLES.brands.map(([brand, index]) => [brand, ruleAt(index)]));

function groupPaths(
  rows: readonly (readonly [string, string, number])[],
): Map<string, ReadonlyArray<{ prefix: string; rule: SourceRule }>> {
  const grouped = new Map<string, Array<{ prefix: string; rule: SourceRule }>>();
  for (const [key, prefix, index] of rows) {
    const list = grouped.get(key) ?? [];
    list.push({ prefix, rule: ruleAt(index) });
    grouped.set(key, list);
  }
  for (const list of grouped.values()) list.sort((a, b) => b.prefix.length - a.prefix.length);
  return grouped;
}

const HOST_PATH_RULES = groupPaths(HOST_TABLES.hostPaths);
const BRAND_PATH_RULES = groupPaths(HOST_TABLES.brandPaths);
const SOURCE_KINDS = new Map(HOST_TABLES.sourceKinds);
const AI_ALIASES = new Map(HOST_TABLES.aiAliases);

const labelCount = (name: string): number => {
  let count = 1;
  for (let index = name.indexOf('.'); index >= 0; index = name.indexOf('.', index + 1)) count += 1;
  return count;
};

/** `name` and each shorter dot-suffix of it: `a.b.c`, `b.c`, `c`. */
function suffixesOf(name: string): string[] {
  const suffixes = [name];
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1))
    suffixes.push(name.slice(dot + 1));
  return suffixes;
}

function computeHostFacts(host: string): HostFacts {
  const parsed = parseHost(host, { allowPrivateDomains: true, extractHostname: false });
  let hostMatch: RuleMatch | null = null;
  let hostLabels = 0;
  const pathMatches: PathMatch[] = [];

  for (const suffix of suffixesOf(host)) {
    for (const { prefix, rule } of HOST_PATH_RULES.get(suffix) ?? []) {
      pathMatches.push({ rule, prefix, labels: labelCount(suffix), pattern: `host+path ${suffix}${prefix}` });
    }
    const rule: SourceRule | undefined = hostMatch ? undefined : HOST_RULES.get(suffix);
    if (rule) {
      hostMatch = { rule, pattern: `host-suffix ${suffix}` };
      hostLabels = labelCount(suffix);
    }
  }

  // Brand rules: the registrable-domain label, optionally with subdomain labels in front
  // (`images.google` matches images.google.co.uk). Specificity counts the public-suffix labels too, so
  // `docs.google.{}` beats the shorter host suffix `google.com` on docs.google.com.
  let brandMatch: RuleMatch | null = null;
  let brandLabels = 0;
  const label = parsed.domainWithoutSuffix;
  if (label && parsed.publicSuffix) {
    const suffixLabels = labelCount(parsed.publicSuffix);
    const brandName = parsed.subdomain ? `${parsed.subdomain}.${label}` : label;
    for (const candidate of suffixesOf(brandName)) {
      for (const { prefix, rule } of BRAND_PATH_RULES.get(candidate) ?? []) {
        pathMatches.push({
          rule,
          prefix,
          labels: labelCount(candidate) + suffixLabels,
          pattern: `brand+path ${candidate}.{}${prefix}`,
        });
      }
      const rule: SourceRule | undefined = brandMatch ? undefined : BRAND_RULES.get(candidate);
      if (rule) {
        brandMatch = { rule, pattern: `brand ${candidate}.{}` };
        brandLabels = labelCount(candidate) + suffixLabels;
      }
    }
  }

  // Host+path > longer match > host suffix over brand at equal length (docs/attribution.md §5 "most specific
  // wins").
  pathMatches.sort((a, b) => b.labels - a.labels || b.prefix.length - a.prefix.length);
  return {
    domain: parsed.domain ?? host,
    brandLabel: label || null,
    match: brandMatch && brandLabels > hostLabels ? brandMatch : (hostMatch ?? brandMatch),
    pathMatches: pathMatches.length > 0 ? pathMatches : null,
  };
}

const HOST_CACHE_LIMIT = 10_000;
const hostCache = new Map<string, HostFacts>();

/** Facts about a normalised host (lower-case, one `www.` stripped), memoised. */
export function hostFacts(host: string): HostFacts {
  let facts = hostCache.get(host);
  if (!facts) {
    facts = computeHostFacts(host);
    // A full reset is cheaper than LRU bookkeeping and the working set of referrer hosts is small.
    if (hostCache.size >= HOST_CACHE_LIMIT) hostCache.clear();
    hostCache.set(host, facts);
  }
  return facts;
}

const pathHasPrefix = (path: string, prefix: string): boolean =>
  path.startsWith(prefix) &&
  (path.length === prefix.length || path[prefix.length] === '/' || prefix.endsWith('/'));

/** The rule for a referrer host and path (host+path rules first), or null for an unknown host. */
export function matchReferrerRule(facts: HostFacts, path: string): RuleMatch | null {
  if (facts.pathMatches) {
    const lowerPath = path.toLowerCase();
    for (const candidate of facts.pathMatches) {
      if (pathHasPrefix(lowerPath, candidate.prefix)) return candidate;
    }
  }
  return facts.match;
}

/** Exact lookup for Android package names (`com.google.android.gm`): packages never match by suffix. */
export function matchAppPackage(packageName: string): RuleMatch | null {
  const rule = HOST_RULES.get(packageName);
  return rule ? { rule, pattern: `app ${packageName}` } : null;
}

/**
 * Category of a source value (docs/attribution.md §6 "category of s = our tables + the GA4 list"): canonical
 * keys and GA4's source names first, then, for host-like values (`m.facebook.com`), the host rules.
 */
export function sourceKindOf(source: string): SourceKind | null {
  const known = SOURCE_KINDS.get(source);
  if (known) return known;
  if (!source.includes('.')) return null;
  const host = source.startsWith('www.') ? source.slice(4) : source;
  const kind = (matchAppPackage(host) ?? hostFacts(host).match)?.rule.kind;
  return kind && kind !== 'not-search' ? kind : null;
}

/**
 * Canonical AI key for a utm_source that names an AI assistant (docs/attribution.md §4 item 2), else null.
 */
export function aiSourceOf(source: string): string | null {
  const alias = AI_ALIASES.get(source);
  if (alias) return alias;
  if (!source.includes('.')) return null;
  const match = hostFacts(source.startsWith('www.') ? source.slice(4) : source).match;
  return match?.rule.kind === 'ai' ? match.rule.source : null;
}
