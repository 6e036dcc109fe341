import { createApp } from '../../src/app';
import { parseEnvelope } from '../../src/events';
import { silentLogger } from '../../src/log';
import { MemoryStore } from '../../src/store';
import { RecordingTraitWriter } from '../support/recording-writer';
import { TEST_CREDENTIALS, useFakePersonalize } from './helpers';

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization';
const RELATED = 'arn:aws:personalize:us-east-1:123456789012:campaign/sims';
const RELATED_RECOMMENDER = 'arn:aws:personalize:us-east-1:123456789012:recommender/more-like-x';
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('related items on the wire (real SDK client, local Personalize)', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  beforeEach(() => {
    fake.recommend = (request) =>
      request.itemId ? [`like-${request.itemId}-1`, `like-${request.itemId}-2`] : ['user-pick-1'];
  });

  async function app(env: Record<string, string> = {}) {
    let now = T0;
    const writer = new RecordingTraitWriter();
    const built = await createApp(
      {
        TOUCHPOINT_STORE: 'memory',
        AWS_REGION: 'us-east-1',
        PERSONALIZE_CAMPAIGN_ARN: CAMPAIGN,
        PERSONALIZE_RELATED_CAMPAIGN_ARN: RELATED,
        ...env,
      },
      {
        store: new MemoryStore(),
        writer,
        log: silentLogger,
        clock: () => new Date(now),
        personalize: { endpoint: personalize.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 },
      },
    );
    const viewed = async (minutes: number, productId: string, messageId: string) => {
      now = T0 + minutes * 60_000;
      await built.engine.deliver(
        parseEnvelope({
          type: 'track',
          event: 'Product Viewed',
          messageId,
          anonymousId: 'anon-1',
          userId: 'user-1',
          timestamp: at(minutes),
          properties: { product_id: productId },
        }),
        Date.now() + 5000,
      );
    };
    return { writer, viewed };
  }

  it('asks the related-items campaign with the viewed itemId and writes recommended_related_products', async () => {
    // Prepare
    const { writer, viewed } = await app();

    // Act
    await viewed(0, 'prod-007', 'v1');

    // Assess
    expect(fake.getRecommendations).toEqual([
      expect.objectContaining({ campaignArn: RELATED, itemId: 'prod-007', userId: 'user-1', numResults: 10 }),
    ]);
    expect(writer.profiles().get('user:user-1')).toMatchObject({
      recommended_related_products: ['like-prod-007-1', 'like-prod-007-2'],
      recommended_related_products_item_id: 'prod-007',
      recommended_related_products_recommendation_id: 'RID-1',
      recommended_related_products_updated_at: at(0),
    });
    // Product Viewed is no trigger of the user's own list.
    expect(writer.profiles().get('user:user-1')).not.toHaveProperty('recommended_products');
  });

  it('calls at most once per refresh window and writes nothing when the list did not change', async () => {
    const { writer, viewed } = await app();
    await viewed(0, 'prod-007', 'v1');
    const writesAfterFirst = writer.delivered.length;

    await viewed(5, 'prod-008', 'v2'); // inside the 15-minute window: the cached list stays
    await viewed(20, 'prod-007', 'v3'); // due again: same item, same list

    expect(fake.getRecommendations.map((body) => body.itemId)).toEqual(['prod-007', 'prod-007']);
    const relatedWrites = writer.delivered
      .slice(writesAfterFirst)
      .filter((call) => Object.keys(call.traits).some((key) => key.startsWith('recommended_related')));
    expect(relatedWrites).toEqual([]);
  });

  it('sends recommenderArn for a related-items recommender, and the list follows a new item once due', async () => {
    const { writer, viewed } = await app({
      PERSONALIZE_RELATED_CAMPAIGN_ARN: '',
      PERSONALIZE_RELATED_RECOMMENDER_ARN: RELATED_RECOMMENDER,
      PERSONALIZE_RELATED_TRAIT_NAME: 'recommended_similar',
    });

    await viewed(0, 'prod-001', 'v1');
    await viewed(16, 'prod-002', 'v2');

    expect(fake.getRecommendations).toEqual([
      expect.objectContaining({ recommenderArn: RELATED_RECOMMENDER, itemId: 'prod-001' }),
      expect.objectContaining({ recommenderArn: RELATED_RECOMMENDER, itemId: 'prod-002' }),
    ]);
    expect(fake.getRecommendations[0]).not.toHaveProperty('campaignArn');
    expect(writer.profiles().get('user:user-1')).toMatchObject({
      recommended_similar: ['like-prod-002-1', 'like-prod-002-2'],
      recommended_similar_item_id: 'prod-002',
    });
  });

  it('keeps the cached related list when Personalize rejects the request as invalid', async () => {
    const { writer, viewed } = await app();
    await viewed(0, 'prod-007', 'v1');
    fake.script.recommendations.push({ status: 400, type: 'InvalidInputException' });

    await viewed(20, 'prod-009', 'v2');

    expect(fake.count('recommendations')).toBe(2);
    expect(writer.profiles().get('user:user-1')).toMatchObject({
      recommended_related_products: ['like-prod-007-1', 'like-prod-007-2'],
      recommended_related_products_item_id: 'prod-007',
    });
  });
});
