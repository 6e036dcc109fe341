/**
 * Compiles `ClassifierOptions` into lookup structures once per options object (cached in a WeakMap), so
 * the per-event `classify(input, options)` call does no list scanning or lower-casing of settings.
 */

import { AUTO_TAG_CLICK_IDS, type ClickIdRule, FBCLID, OTHER_CLICK_IDS, UTM_PARAMS } from './click-ids';
import { DEFAULT_CLASSIFIER_OPTIONS, type ClassifierOptions } from './types';

/**
 * Payment and sign-in returns that never make a touch (docs/attribution.md §3). Entries with a dot match as
 * host suffixes; entries without one match the registrable-domain label (`klarna` is klarna.com, klarna.de).
 */
export const DEFAULT_UNWANTED_REFERRERS: readonly string[] = [
  'paypal.com',
  'paypal',
  'checkout.stripe.com',
  'hooks.stripe.com',
  'checkout.shopify.com',
  'pay.google.com',
  'accounts.google.com',
  'appleid.apple.com',
  'login.microsoftonline.com',
  'login.live.com',
  'klarna',
  'adyen',
  // 3-D Secure access-control servers
  'cardinalcommerce.com',
  'arcot.com',
  '3dsecure.io',
  'securesuite.co.uk',
  'wlp-acs.com',
];

/** Options in the shape the classifier reads them. */
export interface CompiledOptions {
  ownHosts: ReadonlySet<string>;
  unwantedHosts: ReadonlySet<string>;
  unwantedBrands: ReadonlySet<string>;
  sourceAliases: ReadonlyMap<string, string>;
  /** docs/attribution.md §4 item 3 click ids (defaults, then extras), without fbclid */
  clickIds: readonly ClickIdRule[];
  /** every query parameter the classifier reads, lower-case */
  wantedParams: ReadonlySet<string>;
  explain: boolean;
}

const normaliseHostEntry = (entry: string): string => {
  const host = entry
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/:].*$/, '');
  return host.startsWith('www.') ? host.slice(4) : host;
};

/** Builds the lookup structures; prefer `compiledOptions`, which caches. */
export function compileOptions(options: ClassifierOptions): CompiledOptions {
  const unwantedHosts = new Set<string>();
  const unwantedBrands = new Set<string>();
  for (const entry of [...DEFAULT_UNWANTED_REFERRERS, ...options.unwantedReferrers]) {
    const host = normaliseHostEntry(entry);
    if (host === '') continue;
    if (host.includes('.')) unwantedHosts.add(host);
    else unwantedBrands.add(host);
  }

  const clickIds = OTHER_CLICK_IDS.map((rule) => ({ ...rule }));
  for (const [name, touch] of Object.entries(options.clickIds)) {
    const rule = {
      param: name.trim().toLowerCase(),
      source: touch.source.trim().toLowerCase(),
      medium: touch.medium.trim().toLowerCase(),
    };
    const existing = clickIds.findIndex((candidate) => candidate.param === rule.param);
    if (existing >= 0) clickIds[existing] = rule;
    else clickIds.push(rule);
  }

  const wantedParams = new Set<string>([...UTM_PARAMS, FBCLID]);
  for (const rule of [...AUTO_TAG_CLICK_IDS, ...clickIds]) wantedParams.add(rule.param);

  return {
    ownHosts: new Set(options.ownDomains.map(normaliseHostEntry).filter((host) => host !== '')),
    unwantedHosts,
    unwantedBrands,
    sourceAliases: new Map(
      Object.entries(options.sourceAliases).map(([alias, source]) => [
        alias.trim().toLowerCase(),
        source.trim().toLowerCase(),
      ]),
    ),
    clickIds,
    wantedParams,
    explain: options.explain === true,
  };
}

const compiledCache = new WeakMap<ClassifierOptions, CompiledOptions>();
// A pipeline passes the same options object on every call: the last one answers without the WeakMap.
let lastOptions: ClassifierOptions | null = null;
let lastCompiled: CompiledOptions | null = null;

/** The compiled form of `options`, built once per options object. */
export function compiledOptions(options: ClassifierOptions = DEFAULT_CLASSIFIER_OPTIONS): CompiledOptions {
  if (options === lastOptions && lastCompiled !== null) return lastCompiled;
  let compiled = compiledCache.get(options);
  if (!compiled) {
    compiled = compileOptions(options);
    compiledCache.set(options, compiled);
  }
  lastOptions = options;
  lastCompiled = compiled;
  return compiled;
}

/** True when `host` or one of its parent domains is in `hosts`. */
export function hostInList(host: string, hosts: ReadonlySet<string>): boolean {
  if (hosts.size === 0) return false;
  if (hosts.has(host)) return true;
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    if (hosts.has(host.slice(dot + 1))) return true;
  }
  return false;
}
