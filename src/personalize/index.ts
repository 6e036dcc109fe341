export { createEventsClient, createRuntimeClient, type ClientOptions } from './clients';
export {
  DATASET_LIMITS,
  itemsOf,
  PersonalizeDatasets,
  usersOf,
  type DatasetRecord,
  type PersonalizeDatasetsOptions,
} from './datasets';
export { ConfigurationBreaker, EXCEPTION_ACTIONS, classifyError } from './errors';
export {
  LOCAL_FALLBACK_ORIGIN,
  LocalFallbackRecommender,
  MODEL_BOUNDS,
  type LocalFallbackOptions,
} from './local-fallback';
export {
  LIMITS,
  mapMessage,
  planCalls,
  type MappedMessage,
  type MappingOptions,
  type PersonalizeEvent,
  type PutEventsCall,
} from './mapping';
export {
  PersonalizeRecommendationSource,
  RecommendationEnricher,
  RECOMMENDATION_ID_TRAIT,
  UPDATED_AT_TRAIT,
  type RecommendationSource,
  type Recommendations,
} from './recommender';
export { PersonalizeTracker, type PersonalizeTrackerOptions } from './tracker';
