import { RetryableError } from '../../src/errors';
import {
  createRuntimeClient,
  PersonalizeRecommendationSource,
  RecommendationEnricher,
  type RecommendationSource,
} from '../../src/personalize';
import { MemoryStore } from '../../src/store';
import { identifyEvent, pageEvent, trackEvent } from '../support/events';
import { testPipeline } from '../support/pipeline';
import { fakeClientOptions, recordingLogger, useFakePersonalize } from './helpers';

const SITE = 'https://shop.example.com';
const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/shop';
const RECOMMENDER = 'arn:aws:personalize:us-east-1:123456789012:recommender/shop';
const FILTER = 'arn:aws:personalize:us-east-1:123456789012:filter/in-category';
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('recommendations on the wire (real SDK client, local Personalize)', () => {
  const personalize = useFakePersonalize();
  const fake = personalize.fake;
  beforeEach(() => {
    fake.recommend = (request) => Array.from({ length: request.numResults ?? 25 }, (_, i) => `item-${i + 1}`);
  });

  function source(options: Partial<ConstructorParameters<typeof PersonalizeRecommendationSource>[0]> = {}) {
    const log = recordingLogger();
    const client = createRuntimeClient(fakeClientOptions(personalize.endpoint, { maxAttempts: 1 }));
    const subject = new PersonalizeRecommendationSource({
      client,
      campaignArn: CAMPAIGN,
      recommenderArn: null,
      numResults: 3,
      filterArn: null,
      filterValues: {},
      context: {},
      log,
      ...options,
    });
    return { subject, log };
  }

  /** A pipeline whose clock the test moves, with the Personalize enricher on the same store. */
  function pipelineWith(
    recommendations: RecommendationSource,
    options: { recommendAnonymous?: boolean } = {},
  ) {
    const store = new MemoryStore();
    let now = T0;
    const clock = () => new Date(now);
    const enricher = new RecommendationEnricher({
      source: recommendations,
      store,
      triggers: ['identify', 'Product Added', 'Order Completed'],
      refreshMs: 15 * 60_000,
      recommendAnonymous: options.recommendAnonymous ?? true,
      traitName: 'recommended_products',
      clock,
      log: recordingLogger(),
    });
    const pipeline = testPipeline({ store, clock, enrichers: [enricher] });
    return { pipeline, store, setMinutes: (minutes: number) => (now = T0 + minutes * 60_000) };
  }

  const visit = (anonymousId: string, minutes: number) =>
    pageEvent({ anonymousId, at: at(minutes), url: `${SITE}/?utm_source=newsletter&utm_medium=email` });
  const added = (anonymousId: string, minutes: number, userId?: string) =>
    trackEvent({
      anonymousId,
      ...(userId ? { userId } : {}),
      at: at(minutes),
      url: `${SITE}/p`,
      event: 'Product Added',
      properties: { product_id: 'prod-001' },
    });

  describe('throttling', () => {
    it('does not call GetRecommendations for events that are not triggers', async () => {
      // Prepare
      const { pipeline } = pipelineWith(source().subject);

      // Act
      await pipeline.deliver(visit('anon-1', 0));
      await pipeline.deliver(
        trackEvent({ anonymousId: 'anon-1', at: at(1), url: `${SITE}/p`, event: 'Product Viewed' }),
      );

      // Assess
      expect(fake.count('recommendations')).toBe(0);
    });

    it('refreshes on a trigger, at most once per profile per 15 minutes', async () => {
      const { pipeline, setMinutes } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));

      await pipeline.deliver(added('anon-1', 1));
      setMinutes(10);
      await pipeline.deliver(added('anon-1', 10));
      setMinutes(16);
      await pipeline.deliver(added('anon-1', 16));

      expect(fake.count('recommendations')).toBe(2);
    });

    it('writes the list, its time and its recommendation id, and writes nothing when a refresh returns the same list', async () => {
      const { pipeline, setMinutes } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));

      await pipeline.deliver(added('anon-1', 1));
      const afterFirst = pipeline.writer.delivered.length;
      setMinutes(20);
      await pipeline.deliver(added('anon-1', 20));

      expect(pipeline.writer.profiles().get('anon:anon-1')).toMatchObject({
        recommended_products: ['item-1', 'item-2', 'item-3'],
        recommendations_updated_at: at(0), // the clock when it was fetched
        recommendation_id: 'RID-1',
      });
      expect(fake.count('recommendations')).toBe(2);
      expect(pipeline.writer.delivered.length).toBe(afterFirst);
    });

    it('writes the new list with a new time and recommendation id when it changed', async () => {
      const { pipeline, setMinutes } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));
      await pipeline.deliver(added('anon-1', 1));
      fake.recommend = () => ['item-9', 'item-8'];

      setMinutes(30);
      await pipeline.deliver(added('anon-1', 30));

      const last = pipeline.writer.delivered.at(-1);
      expect(last?.traits).toEqual({
        recommended_products: ['item-9', 'item-8'],
        recommendations_updated_at: at(30),
        recommendation_id: 'RID-2',
      });
    });

    it('uses the anonymousId for visitors not yet identified, and the userId after identify', async () => {
      const { pipeline, setMinutes } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));
      await pipeline.deliver(added('anon-1', 1));

      setMinutes(2);
      await pipeline.deliver(identifyEvent({ anonymousId: 'anon-1', userId: 'user-1', at: at(2) }));

      expect(fake.getRecommendations.map((request) => request.userId)).toEqual(['anon-1', 'user-1']);
    });

    it('leaves anonymous visitors alone when PERSONALIZE_RECOMMEND_ANONYMOUS is off', async () => {
      const { pipeline } = pipelineWith(source().subject, { recommendAnonymous: false });
      await pipeline.deliver(visit('anon-1', 0));

      await pipeline.deliver(added('anon-1', 1));
      await pipeline.deliver(identifyEvent({ anonymousId: 'anon-1', userId: 'user-1', at: at(2) }));

      expect(fake.getRecommendations.map((request) => request.userId)).toEqual(['user-1']);
    });
  });

  describe('request', () => {
    it('sends the campaign ARN, numResults, the filter with quoted values read from the event, and context', async () => {
      const { subject } = source({
        filterArn: FILTER,
        filterValues: { CATEGORY: 'properties.category', MISSING: 'properties.nope' },
        context: { DEVICE: 'context.device.type' },
      });
      const { pipeline } = pipelineWith(subject);
      await pipeline.deliver(visit('anon-1', 0));

      await pipeline.deliver({
        ...added('anon-1', 1),
        properties: { product_id: 'prod-001', category: 'Shoes' },
        context: { page: { url: `${SITE}/p` }, device: { type: 'mobile' } },
      });

      expect(fake.getRecommendations).toEqual([
        {
          campaignArn: CAMPAIGN,
          userId: 'anon-1',
          numResults: 3,
          filterArn: FILTER,
          filterValues: { CATEGORY: '"Shoes"' },
          context: { DEVICE: 'mobile' },
        },
      ]);
    });

    it('sends the recommender ARN when a recommender is configured instead of a campaign', async () => {
      const { subject } = source({ campaignArn: null, recommenderArn: RECOMMENDER });
      const { pipeline } = pipelineWith(subject);
      await pipeline.deliver(visit('anon-1', 0));

      await pipeline.deliver(added('anon-1', 1));

      expect(fake.getRecommendations[0]).toEqual({
        recommenderArn: RECOMMENDER,
        userId: 'anon-1',
        numResults: 3,
      });
    });
  });

  describe('errors', () => {
    it('fails the invocation with RetryableError when GetRecommendations is throttled', async () => {
      const { pipeline } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));
      fake.script.recommendations.push({ status: 400, type: 'ThrottlingException' });

      const attempt = pipeline.deliver(added('anon-1', 1));

      await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    });

    it('retries cleanly: the redelivered trigger fetches and writes the list', async () => {
      const { pipeline } = pipelineWith(source().subject);
      await pipeline.deliver(visit('anon-1', 0));
      fake.script.recommendations.push({ status: 500, type: 'InternalFailure' });
      const trigger = added('anon-1', 1);

      await pipeline.deliver(trigger).catch(() => undefined);
      await pipeline.deliver(trigger);

      expect(pipeline.writer.profiles().get('anon:anon-1')?.recommended_products).toEqual([
        'item-1',
        'item-2',
        'item-3',
      ]);
    });

    it('on ResourceNotFoundException logs a configuration error, writes attribution anyway, and stops calling for a while', async () => {
      const { subject, log } = source();
      const { pipeline } = pipelineWith(subject);
      await pipeline.deliver(visit('anon-1', 0));
      fake.script.recommendations.push({ status: 404, type: 'ResourceNotFoundException' });

      await pipeline.deliver(added('anon-1', 1));
      await pipeline.deliver(added('anon-1', 2));

      expect(fake.count('recommendations')).toBe(1);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          event: 'personalize_configuration_error',
          operation: 'GetRecommendations',
        }),
      );
      expect(pipeline.writer.profiles().get('anon:anon-1')).toHaveProperty(
        'first_touch_source',
        'newsletter',
      );
      expect(pipeline.writer.profiles().get('anon:anon-1')).not.toHaveProperty('recommended_products');
    });

    it('on InvalidInputException keeps what was cached and does not throw', async () => {
      const { subject, log } = source();
      fake.script.recommendations.push({ status: 400, type: 'InvalidInputException' });

      const result = await subject.recommend({
        profile: { keys: ['anon:a'], target: 'anon:a' },
        userId: 'a',
        message: (await import('./helpers')).productViewed({ anonymousId: 'a' }),
        timeoutMs: 2000,
      });

      expect(result).toBeNull();
      expect(log.lines).toContainEqual(
        expect.objectContaining({ event: 'personalize_recommendation_rejected' }),
      );
    });

    it('times out within the budget when Personalize does not answer', async () => {
      const { subject } = source();
      fake.script.recommendations.push({ hold: true });
      const started = Date.now();

      const attempt = subject.recommend({
        profile: { keys: ['anon:a'], target: 'anon:a' },
        userId: 'a',
        message: (await import('./helpers')).productViewed({ anonymousId: 'a' }),
        timeoutMs: 150,
      });

      await expect(attempt).rejects.toBeInstanceOf(RetryableError);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
