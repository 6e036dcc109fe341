import { attributionTraits, changedTraits, type Attribution, type Touch } from '../../src/attribution';

const email: Touch = {
  ownerKey: 'anon:a1',
  messageId: 'm1',
  timestamp: '2026-03-01T10:00:00.000Z',
  channel: 'Email',
  source: 'newsletter',
  medium: 'email',
  campaign: 'Spring',
  term: null,
  content: 'hero',
  search_term: null,
  click_id: null,
  referrer: null,
  referrer_host: null,
  landing_page: 'https://shop.example.com/?utm_source=newsletter',
  direct: false,
};
const search: Touch = {
  ...email,
  messageId: 'm2',
  timestamp: '2026-03-05T10:00:00.000Z',
  channel: 'Organic Search',
  source: 'google',
  medium: 'organic',
  campaign: null,
  content: null,
  search_term: 'tents',
  referrer: 'https://www.google.com/search?q=tents',
  referrer_host: 'google.com',
};
const attribution: Attribution = { first: email, firstNonDirect: email, last: search, touchCount: 2 };

describe('attributionTraits', () => {
  it('writes the docs/attribution.md §8 names with flat values', () => {
    const traits = attributionTraits(attribution, 'touchpoint');
    expect(traits).toMatchObject({
      first_touch_channel: 'Email',
      first_touch_campaign: 'Spring',
      first_touch_content: 'hero',
      first_touch_term: null,
      first_touch_timestamp: '2026-03-01T10:00:00.000Z',
      last_touch_source: 'google',
      last_touch_search_term: 'tents',
      last_touch_referrer_host: 'google.com',
      first_non_direct_touch_channel: 'Email',
      first_non_direct_touch_timestamp: '2026-03-01T10:00:00.000Z',
      touch_count: 2,
    });
    expect(Object.keys(traits)).toHaveLength(12 * 2 + 5);
    expect(Object.values(traits)).not.toContain(undefined);
    expect(JSON.stringify(traits)).not.toContain('undefined');
  });

  it('writes the "Solving Marketing Attribution" names in the compatibility preset', () => {
    const traits = attributionTraits(attribution, 'segment-attribution');
    expect(traits).toEqual(
      expect.objectContaining({
        source_first_url: 'https://shop.example.com/?utm_source=newsletter',
        source_first_referrer_type: 'email',
        source_first_referrer_client: 'newsletter',
        source_first_campaign_name: 'Spring',
        source_last_referrer_type: 'search',
        source_last_referrer_engine: 'google',
        source_last_referrer_host: 'google.com',
      }),
    );
    expect(traits.first_touch_channel).toBeUndefined();
    expect(Object.keys(attributionTraits(attribution, 'both'))).toHaveLength(29 + 22);
  });
});

describe('changedTraits', () => {
  it('returns only the keys whose value changed, null clearing a value', () => {
    expect(changedTraits({ a: 1, b: 'x', c: null }, { a: 1, b: 'y', c: 'z' })).toEqual({ b: 'x', c: null });
  });

  it('returns null when nothing changed, treating absent and null alike', () => {
    expect(changedTraits({ a: 1, b: null }, { a: 1 })).toBeNull();
    expect(changedTraits({ list: ['1', '2'] }, { list: ['1', '2'] })).toBeNull();
  });

  it('treats everything as changed when nothing was written yet', () => {
    expect(changedTraits({ a: 1, b: null }, null)).toEqual({ a: 1 });
  });
});
