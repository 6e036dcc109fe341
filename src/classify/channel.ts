/**
 * The channel decision table (docs/attribution.md §6): GA4's default channel group, first matching row wins,
 * with the GA4 quirks kept on purpose (a shop-like campaign beats Email, `cross-network` anywhere in the
 * campaign wins, a source list beats `medium=organic`, `facebook / cpm` is Paid Social).
 */

import type { SourceKind } from './host-table-types';
import type { Channel } from './types';

/** What the table reads. `source` and `medium` are already lower-case. */
export interface ChannelInput {
  source: string;
  medium: string;
  campaign: string | null;
  /** category of the source from the host tables and GA4's list, null when unknown */
  sourceKind: SourceKind | null;
}

/** The decided channel and the table row (1-20) that decided it. */
export interface ChannelDecision {
  channel: Channel;
  row: number;
}

type Category = 'search' | 'social' | 'video' | 'shopping' | 'ai' | null;

const categoryOf = (kind: SourceKind | null): Category => {
  switch (kind) {
    case 'search':
    case 'search-ad':
    case 'display-ad':
      return 'search';
    case 'social':
    case 'video':
    case 'shopping':
    case 'ai':
      return kind;
    default:
      return null;
  }
};

const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/;
const PAID_TOKEN = /(^|[^a-z0-9])paid([^a-z0-9]|$)/;
const SHOP_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/;

/** paid(m) of docs/attribution.md §6. */
export const isPaidMedium = (medium: string): boolean =>
  PAID_MEDIUM.test(medium) || PAID_TOKEN.test(medium) || medium === 'sem';

/** shop(c) of docs/attribution.md §6 (GA4's shopping-campaign regex); `campaign` must be lower-case. */
export const isShopCampaign = (campaign: string): boolean => SHOP_CAMPAIGN.test(campaign);

const AI_MEDIUMS = new Set(['ai-assistant', 'ai', 'llm', 'chatbot']);
const AI_SOURCE_MEDIUMS = new Set(['(not set)', '(none)', 'referral']);
const DISPLAY_MEDIUMS = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const SOCIAL_MEDIUMS = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
  'organic_social',
  'organic-social',
  'social_organic',
  'socialmedia',
]);
const REFERRAL_MEDIUMS = new Set(['referral', 'app', 'link']);
const EMAIL_WORDS = new Set(['email', 'e-mail', 'e_mail', 'e mail']);
const EMAIL_MEDIUMS = new Set([
  'newsletter',
  'newsletters',
  'e-newsletter',
  'enewsletter',
  'email-marketing',
  'email_marketing',
  'emailmarketing',
]);
const AFFILIATE_MEDIUMS = new Set(['affiliate', 'affiliates']);

const DIRECT: ChannelDecision = Object.freeze({ channel: 'Direct', row: 1 });

/** Decides the channel; rows are numbered as in docs/attribution.md §6 so `explain` can name them. */
export function decideChannel({ source, medium, campaign, sourceKind }: ChannelInput): ChannelDecision {
  // Rows 1-3 first: most events are Direct (internal navigation), and need neither regex below.
  if (source === '(direct)' && (medium === '(none)' || medium === '(not set)')) return DIRECT;
  const category = categoryOf(sourceKind);
  const lowerCampaign = campaign === null ? '' : campaign.toLowerCase();
  if (lowerCampaign.includes('cross-network')) return { channel: 'Cross-network', row: 2 };
  if (AI_MEDIUMS.has(medium) || (category === 'ai' && AI_SOURCE_MEDIUMS.has(medium))) {
    return { channel: 'AI Assistant', row: 3 };
  }
  const paid = isPaidMedium(medium);
  const shop = lowerCampaign !== '' && isShopCampaign(lowerCampaign);
  if (paid) {
    if (category === 'shopping' || shop) return { channel: 'Paid Shopping', row: 4 };
    if (category === 'search') return { channel: 'Paid Search', row: 5 };
    if (category === 'social') return { channel: 'Paid Social', row: 6 };
    if (category === 'video') return { channel: 'Paid Video', row: 7 };
  }
  if (DISPLAY_MEDIUMS.has(medium)) return { channel: 'Display', row: 8 };
  if (paid) return { channel: 'Paid Other', row: 9 };
  if (category === 'shopping' || shop) return { channel: 'Organic Shopping', row: 10 };
  if (category === 'social' || SOCIAL_MEDIUMS.has(medium)) return { channel: 'Organic Social', row: 11 };
  if (category === 'video' || medium.includes('video')) return { channel: 'Organic Video', row: 12 };
  if (category === 'search' || medium === 'organic') return { channel: 'Organic Search', row: 13 };
  if (REFERRAL_MEDIUMS.has(medium)) return { channel: 'Referral', row: 14 };
  if (EMAIL_WORDS.has(source) || EMAIL_WORDS.has(medium) || EMAIL_MEDIUMS.has(medium)) {
    return { channel: 'Email', row: 15 };
  }
  if (AFFILIATE_MEDIUMS.has(medium)) return { channel: 'Affiliates', row: 16 };
  if (medium === 'audio') return { channel: 'Audio', row: 17 };
  if (source === 'sms' || medium === 'sms') return { channel: 'SMS', row: 18 };
  if (
    medium.endsWith('push') ||
    medium.includes('mobile') ||
    medium.includes('notification') ||
    source === 'firebase'
  ) {
    return { channel: 'Mobile Push Notifications', row: 19 };
  }
  return { channel: 'Unassigned', row: 20 };
}
