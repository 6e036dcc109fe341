/**
 * The classifier's public contract (docs/attribution.md §1). The rest of touchpoint depends only on these
 * types and on `classify()`, so the classification rules can grow without touching the pipeline.
 */

export const CHANNELS = [
  'Direct',
  'Cross-network',
  'AI Assistant',
  'Paid Shopping',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Shopping',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Referral',
  'Email',
  'Affiliates',
  'Audio',
  'SMS',
  'Mobile Push Notifications',
  'Unassigned',
] as const;

export type Channel = (typeof CHANNELS)[number];

/**
 * Campaign fields as Segment puts them in `context.campaign` (docs/attribution.md §2 item 3: fallback only).
 */
export interface CampaignContext {
  name?: string | null;
  source?: string | null;
  medium?: string | null;
  term?: string | null;
  content?: string | null;
}

/** What the classifier reads from one event. */
export interface ClassifyInput {
  /** Landing URL (`context.page.url`, else `properties.url`). May be relative. */
  pageUrl?: string | null;
  /** `context.page.referrer`, else `properties.referrer`. */
  referrer?: string | null;
  /** Host to resolve a relative page URL against, and to decide internal referrers when the URL has none. */
  pageHost?: string | null;
  /** `context.campaign`, used only when the landing URL has no `utm_*` parameter. */
  campaign?: CampaignContext | null;
}

/**
 * Which precedence step of docs/attribution.md §4 decided the touch:
 * - `auto-tag`: Google auto-tagging click id (gclid, gbraid, wbraid, gad_source, gclsrc, dclid)
 * - `utm`: utm_source / utm_medium (or the context.campaign fallback)
 * - `click-id`: another click id (msclkid, fbclid, ...)
 * - `referrer`: an external, wanted referrer
 * - `internal`: only an internal or unwanted referrer (no touch)
 * - `none`: nothing at all (a Direct candidate)
 */
export type Signal = 'auto-tag' | 'utm' | 'click-id' | 'referrer' | 'internal' | 'none';

/** One field's deciding rule, for `touchpoint classify --explain`. */
export type Explanation = Partial<
  Record<'channel' | 'source' | 'medium' | 'campaign' | 'search_term' | 'internal', string>
>;

/** Output of classifying one event (docs/attribution.md §1). */
export interface Classification {
  channel: Channel;
  /** lower-case, trimmed */
  source: string;
  /** lower-case, trimmed */
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  search_term: string | null;
  /** the click id VALUE that decided the touch (gclid, msclkid, fbclid, ...), if any */
  click_id: string | null;
  referrer_host: string | null;
  /** landing URL, normalised (absolute) */
  landing_page: string | null;
  /** true when the referrer was internal or unwanted */
  internal: boolean;
  signal: Signal;
  explain?: Explanation;
}

/** Per-deployment classifier settings (validated by src/config). Every list is in addition to the defaults. */
export interface ClassifierOptions {
  /** Registrable domains or hosts that count as internal (sister sites, cross-domain checkout). */
  ownDomains: readonly string[];
  /** Extra referrer hosts that never make a touch (payment and sign-in returns). */
  unwantedReferrers: readonly string[];
  /** Extra aliases: raw source (utm_source or host) -> canonical source key. */
  sourceAliases: Readonly<Record<string, string>>;
  /** Extra click-id parameters: parameter name -> source/medium. */
  clickIds: Readonly<Record<string, { source: string; medium: string }>>;
  /** Add `explain` to the result. */
  explain?: boolean;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = Object.freeze({
  ownDomains: [],
  unwantedReferrers: [],
  sourceAliases: {},
  clickIds: {},
});
