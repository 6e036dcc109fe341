/**
 * Click-id parameters (docs/attribution.md §4 item 1 and §4 item 3). Google's auto-tagging beats UTMs, as in
 * GA4; the others only apply when there is no utm_source / utm_medium, and beat the referrer.
 */

/** A click-id parameter and the touch it implies. */
export interface ClickIdRule {
  /** lower-case parameter name */
  param: string;
  source: string;
  medium: string;
}

/**
 * docs/attribution.md §4 item 1, checked in this order so `gclid` is the reported click id when several are
 * present.
 */
export const AUTO_TAG_CLICK_IDS: readonly ClickIdRule[] = [
  { param: 'gclid', source: 'google', medium: 'cpc' },
  { param: 'gbraid', source: 'google', medium: 'cpc' },
  { param: 'wbraid', source: 'google', medium: 'cpc' },
  { param: 'gad_source', source: 'google', medium: 'cpc' },
  { param: 'gclsrc', source: 'google', medium: 'cpc' },
  { param: 'dclid', source: 'dv360', medium: 'cpm' },
];

/** docs/attribution.md §4 item 3, in the order listed there. */
export const OTHER_CLICK_IDS: readonly ClickIdRule[] = [
  { param: 'msclkid', source: 'bing', medium: 'cpc' },
  { param: 'ttclid', source: 'tiktok', medium: 'cpc' },
  { param: 'li_fat_id', source: 'linkedin', medium: 'cpc' },
  { param: 'twclid', source: 'x', medium: 'cpc' },
  { param: 'sccid', source: 'snapchat', medium: 'cpc' },
  { param: 'epik', source: 'pinterest', medium: 'cpc' },
  { param: 'rdt_cid', source: 'reddit', medium: 'cpc' },
  { param: 'yclid', source: 'yandex', medium: 'cpc' },
  { param: 'irclickid', source: 'impact', medium: 'affiliate' },
  { param: 'awc', source: 'awin', medium: 'affiliate' },
  { param: 'cjevent', source: 'cj', medium: 'affiliate' },
  { param: 'mc_cid', source: 'mailchimp', medium: 'email' },
  { param: 'mc_eid', source: 'mailchimp', medium: 'email' },
  { param: '_hsenc', source: 'hubspot', medium: 'email' },
  { param: '_hsmi', source: 'hubspot', medium: 'email' },
];

/**
 * Meta puts `fbclid` on organic and paid clicks alike, so it only says "came from Facebook (or
 * Instagram)", never "paid". It is checked after every other click id.
 */
export const FBCLID = 'fbclid';

/** UTM parameters read from the landing URL (docs/attribution.md §2 item 2 and §2 item 3). */
export const UTM_PARAMS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
