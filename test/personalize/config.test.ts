import { ConfigurationError } from '../../src/errors';
import { loadConfig } from '../../src/config';

const ARN = 'arn:aws:personalize:eu-west-1:123456789012:campaign/shop';

describe('Personalize configuration', () => {
  it('defaults to no Personalize, the documented event mapping, item paths and refresh policy', () => {
    // Act
    const { personalize } = loadConfig({ TOUCHPOINT_STORE: 'memory' });

    // Assess
    expect(personalize).toEqual({
      trackingId: null,
      campaignArn: null,
      recommenderArn: null,
      filterArn: null,
      filterValues: {},
      context: {},
      region: null,
      eventTypes: {
        'Product Viewed': 'View',
        'Product Added': 'AddToCart',
        'Order Completed': 'Purchase',
        'Product Clicked': 'Click',
      },
      itemIdPaths: ['properties.product_id', 'properties.sku'],
      // product fields only: nothing that identifies the person
      eventProperties: expect.arrayContaining(['name', 'category', 'price', 'currency', 'quantity']),
      numResults: 10,
      triggers: ['identify', 'Product Added', 'Order Completed'],
      refreshMinutes: 15,
      recommendAnonymous: true,
      traitName: 'recommended_products',
      attributionSourcePath: 'properties.event_attribution_source',
      relatedCampaignArn: null,
      relatedRecommenderArn: null,
      relatedTriggers: ['Product Viewed'],
      relatedTraitName: 'recommended_related_products',
      usersDatasetArn: null,
      userTraits: ['plan'],
      itemsDatasetArn: null,
      itemEvents: ['Product Viewed', 'Product Added', 'Product Clicked', 'Order Completed'],
      itemProperties: ['category', 'price'],
    });
  });

  it('refuses identifying traits in PERSONALIZE_USER_TRAITS', () => {
    for (const trait of ['email', 'First Name', 'phone', 'date_of_birth'])
      expect(() =>
        loadConfig({ TOUCHPOINT_STORE: 'memory', PERSONALIZE_USER_TRAITS: `plan,${trait}` }),
      ).toThrow(/PERSONALIZE_USER_TRAITS: names identifying a person/);
    expect(
      loadConfig({ TOUCHPOINT_STORE: 'memory', PERSONALIZE_USER_TRAITS: 'plan,loyalty_tier' }).personalize
        .userTraits,
    ).toEqual(['plan', 'loyalty_tier']);
  });

  it('refuses both a related-items campaign and recommender, and a related trait outside recommended_', () => {
    const related = {
      TOUCHPOINT_STORE: 'memory',
      AWS_REGION: 'eu-west-1',
      PERSONALIZE_RELATED_CAMPAIGN_ARN: ARN,
      PERSONALIZE_RELATED_RECOMMENDER_ARN: 'arn:aws:personalize:eu-west-1:123456789012:recommender/x',
    };
    expect(() => loadConfig(related)).toThrow(/PERSONALIZE_RELATED_RECOMMENDER_ARN: set either/);
    expect(() =>
      loadConfig({ TOUCHPOINT_STORE: 'memory', PERSONALIZE_RELATED_TRAIT_NAME: 'similar' }),
    ).toThrow(/PERSONALIZE_RELATED_TRAIT_NAME/);
    expect(() => loadConfig({ TOUCHPOINT_STORE: 'memory', PERSONALIZE_RELATED_CAMPAIGN_ARN: ARN })).toThrow(
      /AWS_REGION: required when Personalize is configured/,
    );
  });

  it('reads every variable, keeping the case of event names and paths', () => {
    const { personalize } = loadConfig({
      PERSONALIZE_TRACKING_ID: 'abc-123',
      PERSONALIZE_CAMPAIGN_ARN: ARN,
      PERSONALIZE_FILTER_ARN: 'arn:aws:personalize:eu-west-1:123456789012:filter/f',
      PERSONALIZE_FILTER_VALUES: 'CATEGORY=properties.category',
      PERSONALIZE_EVENT_TYPES: 'Video Watched=Watch, identify=Identify',
      PERSONALIZE_ITEM_ID_PATHS: 'properties.videoId',
      PERSONALIZE_EVENT_PROPERTIES: 'quantity,coupon',
      PERSONALIZE_NUM_RESULTS: '25',
      PERSONALIZE_RECOMMENDATION_TRIGGERS: 'Video Watched',
      PERSONALIZE_REFRESH_MINUTES: '60',
      PERSONALIZE_RECOMMEND_ANONYMOUS: 'false',
      PERSONALIZE_TRAIT_NAME: 'recommended_videos',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });

    expect(personalize).toMatchObject({
      trackingId: 'abc-123',
      campaignArn: ARN,
      filterValues: { CATEGORY: 'properties.category' },
      eventTypes: { 'Video Watched': 'Watch', identify: 'Identify' },
      itemIdPaths: ['properties.videoId'],
      eventProperties: ['quantity', 'coupon'],
      numResults: 25,
      triggers: ['Video Watched'],
      refreshMinutes: 60,
      recommendAnonymous: false,
      traitName: 'recommended_videos',
      region: 'eu-west-1',
    });
  });

  it.each([
    [
      {
        PERSONALIZE_CAMPAIGN_ARN: ARN,
        PERSONALIZE_RECOMMENDER_ARN: ARN.replace('campaign', 'recommender'),
        AWS_REGION: 'eu-west-1',
      },
      'PERSONALIZE_RECOMMENDER_ARN',
    ],
    [{ PERSONALIZE_TRACKING_ID: 'abc' }, 'AWS_REGION'],
    [{ PERSONALIZE_CAMPAIGN_ARN: 'campaign/shop' }, 'PERSONALIZE_CAMPAIGN_ARN'],
    [{ PERSONALIZE_NUM_RESULTS: '501' }, 'PERSONALIZE_NUM_RESULTS'],
    [{ PERSONALIZE_EVENT_TYPES: 'Product Viewed' }, 'PERSONALIZE_EVENT_TYPES'],
    [{ PERSONALIZE_RECOMMEND_ANONYMOUS: 'maybe' }, 'PERSONALIZE_RECOMMEND_ANONYMOUS'],
    [{ PERSONALIZE_TRAIT_NAME: 'recs' }, 'PERSONALIZE_TRAIT_NAME'],
  ])('fails fast naming the variable for %j', (env, variable) => {
    const attempt = () => loadConfig({ TOUCHPOINT_STORE: 'memory', ...env });

    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(new RegExp(`${variable}:`));
  });
});
