/**
 * Shapes shared by the host-table generator (scripts/generate-host-tables.ts), its generated output
 * (generated/host-tables.ts) and the runtime lookup (hosts.ts). Kept apart from all three so the
 * generated file depends on types only and stays cheap to load.
 */

/**
 * What a referrer host is, which decides its medium (docs/attribution.md §5). `search-ad` and `display-ad`
 * are Google's ad-serving hosts; `not-search` marks hosts of a search brand that are not search
 * (docs.google.com).
 */
export type SourceKind =
  'ai' | 'email' | 'search-ad' | 'display-ad' | 'not-search' | 'search' | 'social' | 'video' | 'shopping';

/**
 * Tie order when two lists claim the same pattern with different kinds (docs/attribution.md §5: AI > email >
 * ad hosts > non-search exclusions > search > social > video > shopping). Earlier wins.
 */
export const KIND_TIE_ORDER: readonly SourceKind[] = [
  'ai',
  'email',
  'search-ad',
  'display-ad',
  'not-search',
  'search',
  'social',
  'video',
  'shopping',
];

/** Medium a referrer of each kind gets (docs/attribution.md §5: "Medium per kind"). */
export const MEDIUM_OF_KIND: Readonly<Record<SourceKind, string>> = {
  ai: 'ai-assistant',
  email: 'email',
  'search-ad': 'cpc',
  'display-ad': 'display',
  'not-search': 'referral',
  search: 'organic',
  social: 'social',
  video: 'video',
  shopping: 'referral',
};

/** One classification rule: canonical source key, kind, and the search-term parameters (comma-separated, lower-case). */
export type HostRule = readonly [source: string, kind: SourceKind, searchParams: string];

/**
 * The generated lookup tables. Every list is sorted so the generated file is deterministic; rule
 * references are indices into `rules`.
 */
export interface HostTables {
  rules: readonly HostRule[];
  /** host suffix (`mail.yahoo.com` matches `xx.mail.yahoo.com`), also exact Android package names */
  hosts: readonly (readonly [host: string, rule: number])[];
  /** host suffix + path prefix (`icloud.com` + `/mail`) */
  hostPaths: readonly (readonly [host: string, pathPrefix: string, rule: number])[];
  /** brand label = registrable-domain label, optionally with subdomain labels (`google`, `images.google`) */
  brands: readonly (readonly [brand: string, rule: number])[];
  /** brand + path prefix (`google` + `/imgres`) */
  brandPaths: readonly (readonly [brand: string, pathPrefix: string, rule: number])[];
  /** source names (canonical keys and GA4's list) -> kind, for categorising utm_source values */
  sourceKinds: readonly (readonly [source: string, kind: SourceKind])[];
  /**
   * utm_source values that mean an AI assistant -> canonical AI key (docs/attribution.md §4 item 2 AI
   * auto-tags)
   */
  aiAliases: readonly (readonly [alias: string, source: string])[];
}
