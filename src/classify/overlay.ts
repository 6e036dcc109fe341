/**
 * Curated additions to the Matomo and GA4 lists, read only by scripts/generate-host-tables.ts (never
 * bundled at run time). This is where touchpoint's judgement lives: webmail, AI assistants, Android
 * package names, Google's ad hosts, hosts of a search brand that are not search, and the canonical
 * source keys of docs/attribution.md §5.
 *
 * Pattern grammar (the same as Matomo's lists):
 * - `host` or `{}.host`: host suffix (`mail.yahoo.com` matches `xx.mail.yahoo.com`); Android package
 *   names are written the same way and match exactly.
 * - `brand.{}` / `sub.brand.{}`: brand label, i.e. the registrable-domain label under any public suffix
 *   (`google.{}` matches google.co.uk and google.com.br, never notgoogle.com).
 * - any of the above followed by `/path`: host+path prefix (`icloud.com/mail`).
 */

import type { SourceKind } from './host-table-types';

/** One curated rule. Overlay rules beat the data lists on the same pattern. */
export interface OverlayRule {
  readonly pattern: string;
  readonly source: string;
  readonly kind: SourceKind;
}

const rules = (kind: SourceKind, source: string, patterns: readonly string[]): OverlayRule[] =>
  patterns.map((pattern) => ({ pattern, source, kind }));

/** Curated host rules (docs/attribution.md §5 canonical keys). */
export const OVERLAY_RULES: readonly OverlayRule[] = [
  // Webmail and mail apps. A brand that is also a search engine gets a `-mail` key.
  ...rules('email', 'gmail', ['mail.google.com', 'inbox.google.com', 'com.google.android.gm']),
  ...rules('email', 'outlook', [
    'outlook.live.com',
    'mail.live.com',
    'outlook.office.com',
    'outlook.office365.com',
    'outlook.com',
    'outlook.cloud.microsoft',
    'com.microsoft.office.outlook',
  ]),
  ...rules('email', 'yahoo-mail', [
    'mail.yahoo.com',
    'mail.yahoo.net',
    'mail.yahoo.co.jp',
    'mail.yahoo.{}',
    'com.yahoo.mobile.client.android.mail',
  ]),
  ...rules('email', 'aol-mail', ['mail.aol.com', 'mail.aol.{}']),
  ...rules('email', 'icloud-mail', ['icloud.com/mail', 'beta.icloud.com/mail']),
  ...rules('email', 'proton', ['mail.proton.me', 'mail.protonmail.com', 'ch.protonmail.android']),
  ...rules('email', 'gmx', [
    'deref-gmx.{}',
    'lightmailer.gmx.{}',
    'lightmailer-bs.gmx.net',
    'lightmailer-bap.gmx.net',
    'navigator.gmx.net',
    'mail.gmx.net',
    'mail.gmx.com',
  ]),
  ...rules('email', 'web.de', ['deref-web.de', 'deref-web-02.de', 'navigator.web.de', 'email.web.de']),
  ...rules('email', 't-online', ['email.t-online.de', 'webmail.t-online.de']),
  ...rules('email', 'orange', [
    'webmail.orange.fr',
    'webmail1m.orange.fr',
    'webmail1e.orange.fr',
    'messagerie.orange.fr',
  ]),
  ...rules('email', 'naver-mail', ['mail.naver.com', 'm.mail.naver.com']),
  ...rules('email', 'yandex-mail', ['mail.yandex.{}', 'mail.yandex.ru', 'mail.yandex.com', 'mail.ya.ru']),
  ...rules('email', 'seznam-mail', ['email.seznam.cz']),
  ...rules('email', 'daum-mail', ['mail.daum.net', 'mail2.daum.net']),
  ...rules('email', 'rambler-mail', ['mail.rambler.ru']),
  ...rules('email', 'bluewin-mail', ['email.bluewin.ch', 'rich-v01.bluewin.ch', 'rich-v02.bluewin.ch']),
  ...rules('email', 'ionos-mail', ['email.ionos.{}']),
  ...rules('email', 'zoho-mail', ['mail.zoho.com', 'mail.zoho.eu', 'mail.zoho.in']),
  ...rules('email', 'fastmail', ['app.fastmail.com', 'fastmail.com']),
  ...rules('email', 'tuta', ['app.tuta.com', 'mail.tutanota.com']),

  // AI assistants (in addition to Matomo's AIAssistants.yml).
  ...rules('ai', 'chatgpt', ['chatgpt.com', 'chat.openai.com', 'com.openai.chatgpt']),
  ...rules('ai', 'perplexity', ['perplexity.ai', 'ai.perplexity.ai']),
  ...rules('ai', 'gemini', ['gemini.google.com', 'bard.google.com', 'gemini.google']),
  ...rules('ai', 'copilot', ['copilot.microsoft.com', 'copilot.cloud.microsoft', 'bing.com/chat']),
  ...rules('ai', 'claude', ['claude.ai']),
  ...rules('ai', 'deepseek', ['chat.deepseek.com', 'deepseek.com']),
  ...rules('ai', 'grok', ['grok.com', 'x.com/i/grok']),
  ...rules('ai', 'meta-ai', ['meta.ai']),
  ...rules('ai', 'mistral', ['chat.mistral.ai']),
  ...rules('ai', 'poe', ['poe.com']),
  ...rules('ai', 'character-ai', ['character.ai']),

  // Google's ad-serving hosts (referer-parser pull/232 lists the same hosts as paid Google).
  ...rules('search-ad', 'google', [
    'googleadservices.com',
    'syndicatedsearch.goog',
    'adsensecustomsearchads.com',
  ]),
  ...rules('display-ad', 'google', ['googlesyndication.com', 'doubleclick.net']),

  // Hosts of search brands that are not search: a link from them is a referral (source = host).
  ...rules('not-search', '', [
    'docs.google.{}',
    'docs.google.com',
    'drive.google.{}',
    'drive.google.com',
    'sites.google.{}',
    'sites.google.com',
    'maps.google.{}',
    'maps.google.com',
    'support.google.{}',
    'support.google.com',
    'developers.google.com',
    'cloud.google.com',
    'calendar.google.com',
    'ads.google.com',
    'analytics.google.com',
    'news.yahoo.com',
    'finance.yahoo.com',
    'sports.yahoo.com',
  ]),

  // Search engines whose canonical key differs from Matomo's name, or that Matomo lacks.
  ...rules('search', 'yandex', ['ya.ru']),
  ...rules('search', 'brave', ['search.brave.com']),
  ...rules('search', 'google', ['com.google.android.googlequicksearchbox']),

  // Social networks and messengers.
  ...rules('social', 'facebook', [
    'facebook.com',
    'fb.me',
    'fb.com',
    'com.facebook.katana',
    'com.facebook.orca',
  ]),
  ...rules('social', 'instagram', ['instagram.com', 'com.instagram.android']),
  ...rules('social', 'x', ['x.com', 'twitter.com', 't.co', 'com.twitter.android']),
  ...rules('social', 'linkedin', ['linkedin.com', 'lnkd.in', 'com.linkedin.android']),
  ...rules('social', 'reddit', ['reddit.com', 'redd.it', 'com.reddit.frontpage']),
  ...rules('social', 'pinterest', ['pinterest.{}', 'pin.it', 'com.pinterest']),
  ...rules('social', 'tiktok', ['tiktok.com', 'com.zhiliaoapp.musically']),
  ...rules('social', 'threads', ['threads.net', 'threads.com']),
  ...rules('social', 'bluesky', ['bsky.app']),
  ...rules('social', 'hackernews', ['news.ycombinator.com']),
  ...rules('social', 'whatsapp', ['whatsapp.com', 'wa.me', 'com.whatsapp']),
  ...rules('social', 'telegram', ['t.me', 'telegram.org', 'telegram.me', 'org.telegram.messenger']),
  ...rules('social', 'slack', ['slack.com', 'com.slack']),
  ...rules('social', 'discord', ['discord.com', 'discord.gg', 'discordapp.com', 'com.discord']),
  ...rules('social', 'quora', ['quora.com']),
  ...rules('social', 'vk', ['vk.com', 'vk.ru', 'vkontakte.ru']),
  ...rules('social', 'tumblr', ['tumblr.com', 't.umblr.com']),
  ...rules('social', 'yelp', ['yelp.{}']),
  ...rules('social', 'snapchat', ['snapchat.com', 'com.snapchat.android']),
  // Google's social products: GA4 lists them as social, under names that would otherwise read `google-social`.
  ...rules('social', 'google-plus', ['plus.google.com', 'plus.url.google.com', 'url.google.com']),
  ...rules('social', 'google-groups', ['groups.google.com', 'googlegroups.com']),
  ...rules('social', 'google-messages', ['messages.google.com']),

  // Video.
  ...rules('video', 'youtube', [
    'youtube.com',
    'youtu.be',
    'youtube-nocookie.com',
    'com.google.android.youtube',
  ]),
  ...rules('video', 'vimeo', ['vimeo.com']),
  ...rules('video', 'twitch', ['twitch.tv']),
  ...rules('video', 'dailymotion', ['dailymotion.com', 'dai.ly']),

  // Shopping.
  ...rules('shopping', 'amazon', ['amazon.{}']),
  ...rules('shopping', 'ebay', ['ebay.{}']),
  ...rules('shopping', 'etsy', ['etsy.com']),
  ...rules('shopping', 'walmart', ['walmart.com']),
];

/** Matomo list names whose canonical key is not their slug (docs/attribution.md §5: keys are brand names). */
export const MATOMO_NAME_KEYS: Readonly<Record<string, string>> = {
  'Bing Images': 'bing',
  'Chat+': 'chatplus',
  ChatGPT: 'chatgpt',
  'Duck.ai': 'duck-ai',
  'Google Blogsearch': 'google',
  'Google Custom Search': 'google',
  'Google Images': 'google',
  'Google Maps': 'google',
  'Google News': 'google',
  'Google Scholar': 'google',
  'Google Shopping': 'google',
  'Google syndicated search': 'google',
  'Google Translations': 'google',
  'Google Video': 'google',
  'Google%2B': 'google-plus',
  'Hacker News': 'hackernews',
  'Le Chat': 'mistral',
  'Meta AI': 'meta-ai',
  StartPage: 'startpage',
  Twitter: 'x',
  Vkontakte: 'vk',
  'Yahoo!': 'yahoo',
  'Yahoo! Directory': 'yahoo',
  'Yahoo! Images': 'yahoo',
  'Yahoo! Japan': 'yahoo',
  'Yahoo! Japan Images': 'yahoo',
  'Yahoo! Japan Videos': 'yahoo',
  'Yandex Images': 'yandex',
  You: 'you.com',
};

/** Matomo lists YouTube and Vimeo as social networks; docs/attribution.md §5 makes them video. */
export const MATOMO_SOCIAL_KIND_OVERRIDES: Readonly<Record<string, SourceKind>> = {
  YouTube: 'video',
  Vimeo: 'video',
};

/** Patterns in the data lists that must not become rules, with the reason. */
export const DROPPED_PATTERNS: Readonly<Record<string, string>> = {
  'www.cnn.com': 'Matomo lists CNN site search as Google; any cnn.com link would become organic search',
  'www.fastweb.it': 'ISP portal, not a search engine',
  'msnbc.msn.com': 'news site, not a search engine',
  'checkout.shopify.com': 'payment return (docs/attribution.md §3 unwanted), not shopping',
  'checkout.stripe.com': 'payment return (docs/attribution.md §3 unwanted), not shopping',
  'stripe.com': 'payment provider, not shopping',
  stripe: 'payment provider, not shopping',
  's3.amazonaws.com': 'file hosting, not shopping',
  'login.live.com': 'Microsoft sign-in (docs/attribution.md §3 unwanted), not social',
};

/**
 * Search-term parameters per engine (docs/attribution.md §5); they replace whatever the data lists say for
 * that key.
 */
export const SEARCH_TERM_PARAMS: Readonly<Record<string, readonly string[]>> = {
  google: ['q'],
  bing: ['q'],
  yahoo: ['p', 'q'],
  baidu: ['wd', 'word', 'kw'],
  yandex: ['text'],
  naver: ['query'],
  duckduckgo: ['q'],
  ecosia: ['q'],
  brave: ['q'],
  qwant: ['q'],
  kagi: ['q'],
  ask: ['q'],
  sogou: ['query'],
  aol: ['q', 'query'],
  startpage: ['query', 'q'],
};

/**
 * utm_source values that name an AI assistant, beyond its canonical key and hosts
 * (docs/attribution.md §4 item 2).
 */
export const AI_SOURCE_ALIASES: Readonly<Record<string, string>> = {
  openai: 'chatgpt',
  'chat-gpt': 'chatgpt',
  bard: 'gemini',
  'microsoft-copilot': 'copilot',
  'le-chat': 'mistral',
  'meta.ai': 'meta-ai',
};
