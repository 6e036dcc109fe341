/**
 * The classifier pipeline: normalise the inputs (docs/attribution.md §2), judge the referrer
 * (docs/attribution.md §3), pick the signal by precedence (docs/attribution.md §4), name the source
 * (docs/attribution.md §5) and decide the channel (docs/attribution.md §6).
 */

import { decideChannel } from './channel';
import { AUTO_TAG_CLICK_IDS, type ClickIdRule, FBCLID } from './click-ids';
import type { SourceKind } from './host-table-types';
import { MEDIUM_OF_KIND } from './host-table-types';
import {
  aiSourceOf,
  type HostFacts,
  hostFacts,
  matchAppPackage,
  matchReferrerRule,
  type RuleMatch,
  sourceKindOf,
} from './hosts';
import { type Landing, normaliseLanding, normaliseReferrer, type Referrer } from './normalise';
import { type CompiledOptions, compiledOptions, hostInList } from './options';
import { readQueryParams } from './params';
import { searchTermOf } from './search-terms';
import type { ClassifierOptions, Classification, ClassifyInput, Explanation, Signal } from './types';

/** How the referrer was judged (docs/attribution.md §3). */
interface JudgedReferrer {
  referrer: Referrer;
  status: 'external' | 'internal' | 'unwanted';
  /** why it is internal or unwanted, for `explain` */
  reason: string;
  /** the rule its host matched (external referrers only) */
  match: RuleMatch | null;
  /** source, medium and kind it would give on its own (external referrers only) */
  source: string;
  medium: string;
  kind: SourceKind | null;
  sourceWhy: string;
}

/** `reason` and `sourceWhy` are only written with `options.explain`: building them per event is waste. */
function judgeReferrer(
  referrer: Referrer,
  page: Landing,
  pageFacts: HostFacts | null,
  options: CompiledOptions,
): JudgedReferrer {
  const pageDomain = pageFacts === null ? null : pageFacts.domain;
  const explain = options.explain;
  const judged: JudgedReferrer = {
    referrer,
    status: 'external',
    reason: '',
    match: null,
    source: referrer.host,
    medium: 'referral',
    kind: null,
    sourceWhy: '',
  };
  let facts: HostFacts | null = null;
  if (referrer.app) {
    // App referrers are never internal (docs/attribution.md §2 item 4); an unknown package with an inner host
    // is read as that host.
    judged.match = matchAppPackage(referrer.host);
    if (!judged.match && referrer.innerHost) {
      judged.match = matchReferrerRule(hostFacts(referrer.innerHost), referrer.path);
      judged.source = referrer.innerHost;
    }
  } else {
    // Internal navigation (most page views) has the page's own host: its facts are already known.
    facts = pageFacts !== null && referrer.host === page.host ? pageFacts : hostFacts(referrer.host);
    if (hostInList(referrer.host, options.ownHosts)) {
      judged.status = 'internal';
      if (explain) judged.reason = `referrer ${referrer.host} is in ownDomains (docs/attribution.md §3)`;
      return judged;
    }
    if (pageDomain !== null && facts.domain === pageDomain) {
      judged.status = 'internal';
      if (explain)
        judged.reason = `referrer registrable domain ${facts.domain} = page's (docs/attribution.md §3)`;
      return judged;
    }
    if (
      hostInList(referrer.host, options.unwantedHosts) ||
      (facts.brandLabel !== null && options.unwantedBrands.has(facts.brandLabel))
    ) {
      judged.status = 'unwanted';
      if (explain)
        judged.reason = `referrer ${referrer.host} is a payment / sign-in return (docs/attribution.md §3 unwanted)`;
      return judged;
    }
    judged.match = matchReferrerRule(facts, referrer.path);
  }

  const alias = options.sourceAliases.get(referrer.host);
  if (alias !== undefined) {
    judged.source = alias;
    judged.kind = sourceKindOf(alias);
    judged.medium = judged.kind ? MEDIUM_OF_KIND[judged.kind] : 'referral';
    if (explain) judged.sourceWhy = `sourceAliases ${referrer.host} -> ${alias}`;
  } else if (judged.match && judged.match.rule.kind !== 'not-search') {
    const { rule, pattern } = judged.match;
    judged.source = rule.source;
    judged.kind = rule.kind;
    judged.medium = MEDIUM_OF_KIND[rule.kind];
    if (explain) judged.sourceWhy = `${pattern} -> ${rule.source} (${rule.kind})`;
  } else if (explain) {
    judged.sourceWhy = judged.match
      ? `${judged.match.pattern} is not search: referral from the host (docs/attribution.md §5)`
      : `unknown host ${judged.source}: source = host, medium referral (docs/attribution.md §5)`;
  }
  return judged;
}

/** Campaign fields from the landing URL, else from `context.campaign` (docs/attribution.md §2 item 3). */
interface CampaignFields {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  fromContext: boolean;
}

const cleanText = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

const NO_PARAMS: ReadonlyMap<string, string> = new Map();

const NO_CAMPAIGN: CampaignFields = Object.freeze({
  source: null,
  medium: null,
  campaign: null,
  term: null,
  content: null,
  fromContext: false,
});

function campaignFields(params: ReadonlyMap<string, string>, input: ClassifyInput): CampaignFields {
  const context = input.campaign;
  if (params.size === 0 && !context) return NO_CAMPAIGN;
  const fromUrl =
    params.size > 0 &&
    (params.has('utm_source') ||
      params.has('utm_medium') ||
      params.has('utm_campaign') ||
      params.has('utm_term') ||
      params.has('utm_content'));
  if (fromUrl || !context) {
    return {
      source: params.get('utm_source') ?? null,
      medium: params.get('utm_medium') ?? null,
      campaign: params.get('utm_campaign') ?? null,
      term: params.get('utm_term') ?? null,
      content: params.get('utm_content') ?? null,
      fromContext: false,
    };
  }
  return {
    source: cleanText(context.source),
    medium: cleanText(context.medium),
    campaign: cleanText(context.name),
    term: cleanText(context.term),
    content: cleanText(context.content),
    fromContext: true,
  };
}

const firstPresent = (
  params: ReadonlyMap<string, string>,
  rules: readonly ClickIdRule[],
): ClickIdRule | null => {
  if (params.size === 0) return null;
  for (const rule of rules) if (params.has(rule.param)) return rule;
  return null;
};

/** Classifies one event with already-compiled options. */
export function classifyCompiled(input: ClassifyInput, options: CompiledOptions): Classification {
  const landing: Landing = normaliseLanding(input.pageUrl, input.pageHost);
  let params: ReadonlyMap<string, string> = NO_PARAMS;
  if (landing.query !== '' || landing.fragmentQuery !== '') {
    const read = new Map<string, string>();
    readQueryParams(landing.query, read, options.wantedParams);
    readQueryParams(landing.fragmentQuery, read, options.wantedParams);
    params = read;
  }

  const referrer = normaliseReferrer(input.referrer);
  const pageFacts = landing.host === null ? null : hostFacts(landing.host);
  const judged = referrer ? judgeReferrer(referrer, landing, pageFacts, options) : null;
  const external = judged?.status === 'external' ? judged : null;
  const campaign = campaignFields(params, input);
  const explain: Explanation | undefined = options.explain ? {} : undefined;

  let signal: Signal;
  let source: string;
  let medium: string;
  let sourceKind: SourceKind | null;
  let clickId: string | null = null;

  const autoTag = firstPresent(params, AUTO_TAG_CLICK_IDS);
  const utmSource = campaign.source?.toLowerCase() ?? null;
  const utmMedium = campaign.medium?.toLowerCase() ?? null;
  if (autoTag) {
    signal = 'auto-tag';
    ({ source, medium } = autoTag);
    sourceKind = sourceKindOf(source);
    clickId = params.get(autoTag.param) ?? null;
    if (explain) {
      explain.source =
        explain.medium = `${autoTag.param} present: ${source} auto-tagging beats UTMs (docs/attribution.md §4 item 1)`;
    }
  } else if (utmSource !== null || utmMedium !== null) {
    signal = 'utm';
    const where = campaign.fromContext ? 'context.campaign' : 'utm';
    medium = utmMedium ?? '(not set)';
    if (utmSource !== null) {
      const alias = options.sourceAliases.get(utmSource);
      source = alias ?? utmSource;
      sourceKind = sourceKindOf(source);
      if (explain)
        explain.source = alias
          ? `${where} source ${utmSource} -> ${alias} (sourceAliases)`
          : `${where} source`;
      const aiSource = aiSourceOf(source);
      if (aiSource !== null && (medium === '(not set)' || medium === 'referral')) {
        if (explain) {
          explain.source =
            explain.medium = `${where} source ${utmSource} is an AI auto-tag -> ${aiSource} / ai-assistant (docs/attribution.md §4 item 2)`;
        }
        source = aiSource;
        medium = 'ai-assistant';
        sourceKind = 'ai';
      }
    } else if (external) {
      source = external.source;
      sourceKind = external.kind;
      if (explain)
        explain.source = `no utm_source: from the referrer, ${external.sourceWhy} (docs/attribution.md §4 item 2)`;
    } else {
      source = '(not set)';
      sourceKind = null;
      if (explain)
        explain.source = 'no utm_source and no external referrer: (not set) (docs/attribution.md §4 item 2)';
    }
    if (explain && !explain.medium)
      explain.medium =
        utmMedium !== null ? `${where} medium` : 'no utm_medium: (not set) (docs/attribution.md §4 item 2)';
  } else {
    const clickRule = firstPresent(params, options.clickIds);
    if (clickRule) {
      signal = 'click-id';
      ({ source, medium } = clickRule);
      sourceKind = sourceKindOf(source);
      clickId = params.get(clickRule.param) ?? null;
      if (explain)
        explain.source =
          explain.medium = `${clickRule.param} present: ${source} / ${medium} (docs/attribution.md §4 item 3)`;
    } else if (params.has(FBCLID)) {
      signal = 'click-id';
      const instagram = external?.source === 'instagram';
      source = instagram ? 'instagram' : 'facebook';
      medium = 'social';
      sourceKind = 'social';
      clickId = params.get(FBCLID) ?? null;
      if (explain) {
        explain.source =
          explain.medium = `fbclid alone: ${source} / social, organic and paid alike (docs/attribution.md §4 item 3)`;
      }
    } else if (external) {
      signal = 'referrer';
      ({ source, medium } = external);
      sourceKind = external.kind;
      if (explain) explain.source = explain.medium = external.sourceWhy;
    } else {
      signal = judged ? 'internal' : 'none';
      source = '(direct)';
      medium = '(none)';
      sourceKind = null;
      if (explain) {
        explain.source = explain.medium = judged
          ? `only an ${judged.status} referrer: no touch, (direct) / (none) (docs/attribution.md §3)`
          : 'no click id, UTM or referrer: (direct) / (none) (docs/attribution.md §4 item 5)';
      }
    }
  }

  const decision = decideChannel({ source, medium, campaign: campaign.campaign, sourceKind });

  let searchTerm: string | null = null;
  if (external && (decision.channel === 'Organic Search' || decision.channel === 'Paid Search')) {
    searchTerm = searchTermOf(external.match, external.referrer);
  }

  if (explain) {
    explain.channel = `decision table row ${decision.row} ${decision.channel} (docs/attribution.md §6: ${source} / ${medium})`;
    if (campaign.campaign !== null) {
      explain.campaign = campaign.fromContext
        ? 'context.campaign.name (no utm_* on the landing URL, docs/attribution.md §2 item 3)'
        : 'utm_campaign';
    }
    if (searchTerm !== null && external?.match) {
      explain.search_term = `search-term parameter of ${external.match.pattern} (docs/attribution.md §5)`;
    }
    if (judged && judged.status !== 'external') explain.internal = judged.reason;
  }

  const result: Classification = {
    channel: decision.channel,
    source,
    medium,
    campaign: campaign.campaign,
    term: campaign.term,
    content: campaign.content,
    search_term: searchTerm,
    click_id: clickId,
    referrer_host: referrer?.host ?? null,
    landing_page: landing.url,
    internal: judged !== null && judged.status !== 'external',
    signal,
  };
  if (explain) result.explain = explain;
  return result;
}

/**
 * Classifies one event (docs/attribution.md §1-§6). Pure: the same input and options always give the same
 * result. `options` is compiled once per object and cached, so pass the same frozen object every time.
 */
export function classify(input: ClassifyInput, options?: ClassifierOptions): Classification {
  return classifyCompiled(input, compiledOptions(options));
}

/** Precompiles `options` and returns a classifier bound to them. */
export function compileClassifier(options?: ClassifierOptions): (input: ClassifyInput) => Classification {
  const compiled = compiledOptions(options);
  return (input) => classifyCompiled(input, compiled);
}
