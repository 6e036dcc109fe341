import {
  classify,
  type CampaignContext,
  type ClassifierOptions,
  type Classification,
  type Channel,
  type ClassifyInput,
} from '../classify';
import type { SegmentMessage } from '../events';
import type { IdentityKey } from '../identity';
import { DEFAULT_URL_PARAMETERS, keepAllowedParameters } from './urls';

/** One marketing touch as stored: where a visit came from, owned by the device (or user) that made it. */
export interface Touch {
  ownerKey: IdentityKey;
  messageId: string;
  /** event timestamp, ISO-8601 UTC */
  timestamp: string;
  channel: Channel;
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  search_term: string | null;
  click_id: string | null;
  referrer: string | null;
  referrer_host: string | null;
  landing_page: string | null;
  /**
   * a Direct visit: a touch only when it starts a session (decided by the pipeline, docs/attribution.md §7)
   */
  direct: boolean;
}

/** What a message says about traffic source, before session rules decide whether it is a touch. */
export interface TouchCandidate {
  classification: Classification;
  referrer: string | null;
}

/** The parts of a message that say where a visit came from (a SegmentMessage has them all). */
export interface VisitFields {
  type: string;
  context?: {
    page?: { url?: string | null; referrer?: string | null } | null;
    campaign?: CampaignContext | null;
  } | null;
  properties?: Record<string, unknown> | null;
}

/**
 * What the classifier reads from a message (docs/attribution.md §2 items 1 and 4): page events, and
 * track/screen events that carry `context.page`; `context.page` first, then `properties`. Null for a
 * message that is no visit. Shared by the pipeline and the Segment insert function, so both read the
 * same fields.
 */
export function visitInputOf(message: VisitFields): ClassifyInput | null {
  if (message.type !== 'page' && message.type !== 'track' && message.type !== 'screen') return null;
  const page = message.context?.page;
  const properties = message.properties ?? {};
  if (message.type !== 'page' && !page) return null;
  return {
    pageUrl: page?.url ?? stringOrNull(properties.url),
    referrer: page?.referrer ?? stringOrNull(properties.referrer),
    campaign: message.context?.campaign ?? null,
  };
}

/**
 * Classifies the visit behind a message (docs/attribution.md §7: page events, and track/screen events that
 * carry `context.page`). Returns null for messages that are no visit, and for internal navigation and
 * unwanted referrers, which never make a touch.
 */
export function touchCandidateOf(message: SegmentMessage, options: ClassifierOptions): TouchCandidate | null {
  const input = visitInputOf(message);
  if (input === null) return null;
  const classification = classify(input, options);
  if (classification.signal === 'internal') return null;
  const trimmed = input.referrer?.trim();
  return { classification, referrer: trimmed && classification.referrer_host ? trimmed : null };
}

const DEFAULT_KEPT_PARAMETERS: ReadonlySet<string> = new Set(DEFAULT_URL_PARAMETERS);

/**
 * Builds the stored touch for a candidate. Its URLs keep only the `keptParameters` of their query
 * strings (campaign and click ids by default: see ./urls.ts), since they are written back as traits.
 */
export function toTouch(
  message: SegmentMessage,
  ownerKey: IdentityKey,
  candidate: TouchCandidate,
  keptParameters: ReadonlySet<string> = DEFAULT_KEPT_PARAMETERS,
): Touch {
  const c = candidate.classification;
  const kept = (url: string | null) => (url === null ? null : keepAllowedParameters(url, keptParameters));
  return {
    ownerKey,
    messageId: message.messageId,
    timestamp: message.timestamp,
    channel: c.channel,
    source: c.source,
    medium: c.medium,
    campaign: c.campaign,
    term: c.term,
    content: c.content,
    search_term: c.search_term,
    click_id: c.click_id,
    referrer: kept(candidate.referrer),
    referrer_host: c.referrer_host,
    landing_page: kept(c.landing_page),
    direct: c.signal === 'none',
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
