import type { PersonalizeConfig } from '../config';
import type { Logger } from '../log';
import {
  createEventsClient,
  createRuntimeClient,
  LocalFallbackRecommender,
  PersonalizeDatasets,
  PersonalizeRecommendationSource,
  PersonalizeTracker,
  RecommendationEnricher,
  type ClientOptions,
  type MappingOptions,
  type RecommendationSource,
} from '../personalize';
import {
  downstreamReadsOf,
  type AttributionStore,
  type DownstreamReads,
  type EventTracker,
  type ProfileEnricher,
} from '../pipeline';

export interface PersonalizeIntegrationDeps {
  store: AttributionStore;
  log: Logger;
  clock: () => Date;
  /** client settings beyond the region (tests: endpoint, credentials, short timeouts) */
  clientOptions?: Omit<ClientOptions, 'region'>;
}

export interface PersonalizeIntegration {
  tracker: EventTracker | undefined;
  enrichers: ProfileEnricher[];
  /** what the tracker and enrichers read of a message (PipelineSettings.downstreamReads) */
  downstreamReads: DownstreamReads;
}

/**
 * What the Personalize tracker and enrichers read of a message's context, traits and page properties:
 * only the configured paths do (PERSONALIZE_ITEM_ID_PATHS, PERSONALIZE_CONTEXT, PERSONALIZE_FILTER_VALUES
 * and PERSONALIZE_ATTRIBUTION_SOURCE_PATH), and PutUsers the PERSONALIZE_USER_TRAITS of an identify; of a
 * track they read its properties too.
 */
export function downstreamReadsBy(config: PersonalizeConfig): DownstreamReads {
  return downstreamReadsOf([
    ...config.itemIdPaths,
    ...Object.values(config.context),
    ...Object.values(config.filterValues),
    ...(config.attributionSourcePath ? [config.attributionSourcePath] : []),
    ...config.userTraits.map((name) => `traits.${name}`),
  ]);
}

/** How tracked events become PutEvents events, as configured. */
export function mappingOf(config: PersonalizeConfig): MappingOptions {
  return {
    eventTypes: config.eventTypes,
    itemIdPaths: config.itemIdPaths,
    eventProperties: config.eventProperties,
    attributionSourcePath: config.attributionSourcePath,
  };
}

/**
 * What the configuration asks for: a PutEvents tracker when PERSONALIZE_TRACKING_ID is set (sending
 * PutUsers / PutItems first when PERSONALIZE_USERS_DATASET_ARN / PERSONALIZE_ITEMS_DATASET_ARN are set), Personalize
 * recommendations when a campaign or recommender ARN is set, and otherwise the local fallback
 * recommender, so `recommended_products` is filled in demos and local runs too; a related-items list
 * when PERSONALIZE_RELATED_CAMPAIGN_ARN or PERSONALIZE_RELATED_RECOMMENDER_ARN is set.
 */
export function createPersonalizeIntegration(
  config: PersonalizeConfig,
  deps: PersonalizeIntegrationDeps,
): PersonalizeIntegration {
  const mapping = mappingOf(config);
  const clientOptions = (): ClientOptions => ({
    region: config.region ?? 'us-east-1',
    ...deps.clientOptions,
  });
  const eventsClient = once(() => createEventsClient(clientOptions()));
  const datasets =
    config.usersDatasetArn || config.itemsDatasetArn
      ? new PersonalizeDatasets({
          client: eventsClient(),
          usersDatasetArn: config.usersDatasetArn,
          itemsDatasetArn: config.itemsDatasetArn,
          userTraits: config.userTraits,
          itemEvents: config.itemEvents,
          itemProperties: config.itemProperties,
          mapping,
          log: deps.log,
        })
      : undefined;
  const tracker =
    config.trackingId || datasets
      ? new PersonalizeTracker({
          client: eventsClient(),
          trackingId: config.trackingId,
          ...(datasets ? { datasets } : {}),
          mapping,
          log: deps.log,
        })
      : undefined;

  let source: RecommendationSource;
  if (config.campaignArn || config.recommenderArn) {
    source = new PersonalizeRecommendationSource({
      client: createRuntimeClient(clientOptions()),
      campaignArn: config.campaignArn,
      recommenderArn: config.recommenderArn,
      numResults: config.numResults,
      filterArn: config.filterArn,
      filterValues: config.filterValues,
      context: config.context,
      log: deps.log,
    });
  } else {
    deps.log.info('personalize_local_fallback', {
      reason:
        'no PERSONALIZE_CAMPAIGN_ARN or PERSONALIZE_RECOMMENDER_ARN: recommendations come from the local fallback',
    });
    source = new LocalFallbackRecommender({ store: deps.store, mapping, numResults: config.numResults });
  }
  const enricher = new RecommendationEnricher({
    source,
    store: deps.store,
    triggers: config.triggers,
    refreshMs: config.refreshMinutes * 60_000,
    recommendAnonymous: config.recommendAnonymous,
    traitName: config.traitName,
    clock: deps.clock,
    log: deps.log,
  });
  const downstreamReads = downstreamReadsBy(config);
  if (!config.relatedCampaignArn && !config.relatedRecommenderArn)
    return { tracker, enrichers: [enricher], downstreamReads };
  const relatedEnricher = new RecommendationEnricher({
    source: new PersonalizeRecommendationSource({
      client: createRuntimeClient(clientOptions()),
      campaignArn: config.relatedCampaignArn,
      recommenderArn: config.relatedRecommenderArn,
      numResults: config.numResults,
      // A filter belongs to one recipe's campaign; the related list's context is the same visit.
      filterArn: null,
      filterValues: {},
      context: config.context,
      log: deps.log,
      variables: 'PERSONALIZE_RELATED_CAMPAIGN_ARN / PERSONALIZE_RELATED_RECOMMENDER_ARN',
    }),
    store: deps.store,
    triggers: config.relatedTriggers,
    refreshMs: config.refreshMinutes * 60_000,
    recommendAnonymous: config.recommendAnonymous,
    traitName: config.relatedTraitName,
    clock: deps.clock,
    log: deps.log,
    list: 'related',
    mapping,
  });
  return { tracker, enrichers: [enricher, relatedEnricher], downstreamReads };
}

/** The value `make` returns, made on the first call only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
