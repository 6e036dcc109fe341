import type { Touch } from '../../src/attribution';

/**
 * A touch of `anon:a1` on `channel` for model tests: source is the channel in lower case (`(direct)` for
 * Direct), medium `x` (`(none)`), every other field empty unless `extra` sets it.
 */
export function touchOn(
  messageId: string,
  timestamp: string,
  channel: Touch['channel'],
  extra: Partial<Touch> = {},
): Touch {
  return {
    ownerKey: 'anon:a1',
    messageId,
    timestamp,
    channel,
    source: channel === 'Direct' ? '(direct)' : channel.toLowerCase(),
    medium: channel === 'Direct' ? '(none)' : 'x',
    campaign: null,
    term: null,
    content: null,
    search_term: null,
    click_id: null,
    referrer: null,
    referrer_host: null,
    landing_page: null,
    direct: channel === 'Direct',
    ...extra,
  };
}
