import { decideChannel, isPaidMedium, isShopCampaign } from '../../src/classify/channel';

describe('isPaidMedium', () => {
  it.each(['cpc', 'cpm', 'ppc', 'retargeting', 'paid', 'paid_social', 'social-paid', 'sem', 'cpv'])(
    '%s is paid',
    (medium) => {
      expect(isPaidMedium(medium)).toBe(true);
    },
  );

  it.each(['organic', 'email', 'unpaid', 'prepaid', 'display', 'semrush'])('%s is not paid', (medium) => {
    expect(isPaidMedium(medium)).toBe(false);
  });
});

describe('isShopCampaign', () => {
  it.each(['shop', 'summer-shop', 'eshop', 'holiday shopping', 'shopping_feed'])(
    '%s is shop-like',
    (campaign) => {
      expect(isShopCampaign(campaign)).toBe(true);
    },
  );

  it.each(['workshop', 'bishop', 'spring'])('%s is not shop-like', (campaign) => {
    expect(isShopCampaign(campaign)).toBe(false);
  });
});

describe('decideChannel', () => {
  const decide = (source: string, medium: string, campaign: string | null = null) =>
    decideChannel({ source, medium, campaign, sourceKind: null });

  it('numbers rows as in docs/attribution.md §6', () => {
    expect(decide('(direct)', '(none)')).toEqual({ channel: 'Direct', row: 1 });
    expect(decide('x', 'y', 'A-Cross-Network-B')).toEqual({ channel: 'Cross-network', row: 2 });
    expect(decide('x', 'blast')).toEqual({ channel: 'Unassigned', row: 20 });
  });

  it('uses the source kind for the paid rows', () => {
    expect(decideChannel({ source: 's', medium: 'cpc', campaign: null, sourceKind: 'search' }).channel).toBe(
      'Paid Search',
    );
    expect(decideChannel({ source: 's', medium: 'cpc', campaign: null, sourceKind: 'social' }).channel).toBe(
      'Paid Social',
    );
    expect(decideChannel({ source: 's', medium: 'cpc', campaign: null, sourceKind: 'video' }).channel).toBe(
      'Paid Video',
    );
    expect(
      decideChannel({ source: 's', medium: 'cpc', campaign: null, sourceKind: 'shopping' }).channel,
    ).toBe('Paid Shopping');
    expect(decideChannel({ source: 's', medium: 'cpc', campaign: null, sourceKind: 'email' }).channel).toBe(
      'Paid Other',
    );
  });

  it('treats Google ad hosts as search', () => {
    expect(
      decideChannel({ source: 'google', medium: 'cpc', campaign: null, sourceKind: 'search-ad' }).channel,
    ).toBe('Paid Search');
  });

  it('puts an AI source first only for referral-like mediums', () => {
    expect(
      decideChannel({ source: 'chatgpt', medium: 'referral', campaign: null, sourceKind: 'ai' }).channel,
    ).toBe('AI Assistant');
    expect(
      decideChannel({ source: 'chatgpt', medium: 'email', campaign: null, sourceKind: 'ai' }).channel,
    ).toBe('Email');
  });

  it('keeps the GA4 quirks', () => {
    expect(decide('newsletter', 'email', 'black-friday-shop')).toMatchObject({
      channel: 'Organic Shopping',
      row: 10,
    });
    expect(
      decideChannel({ source: 'twitter', medium: 'organic', campaign: null, sourceKind: 'social' }).channel,
    ).toBe('Organic Social');
    expect(
      decideChannel({ source: 'facebook', medium: 'cpm', campaign: null, sourceKind: 'social' }).channel,
    ).toBe('Paid Social');
  });

  it('matches push mediums by suffix and substring', () => {
    expect(decide('a', 'webpush').channel).toBe('Mobile Push Notifications');
    expect(decide('a', 'mobile-app').channel).toBe('Mobile Push Notifications');
    expect(decide('a', 'pushy').channel).toBe('Unassigned');
  });
});
