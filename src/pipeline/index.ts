export {
  createEngine,
  TRACKING_CHUNK_SIZE,
  WRITE_BACK_SLICE,
  type DeliveryWindow,
  type Engine,
  type Pipeline,
  type PipelineSettings,
  type WindowOptions,
  type WindowSettlement,
} from './engine';
export { attributionChangeOf } from './attribution-change';
export { deadLetterOf, loggableId, matchesDeadLetterFilter } from './dead-letter';
export type {
  AttributionChange,
  AttributionPublisher,
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  DeadLetterFilter,
  EventTracker,
  IdentifyCall,
  MessageRecord,
  MessageStep,
  ProfileEnricher,
  ProfileState,
  RecentProfile,
  RecommenderDoc,
  RecommenderWrite,
  TouchSnapshot,
  TrackCall,
  TraitWriter,
} from './ports';
export {
  MAX_RECOMMENDER_WRITES,
  RACED_WRITE,
  RECOMMENDER_DEVICE_PREFIX,
  recommenderDeviceDoc,
} from './ports';
export { computeProfile, type ComputedProfile } from './profile';
export { addReport, emptyReport, type BatchReport } from './report';
export { mapConcurrently } from './concurrently';
export { isOwnWriteBack, OWN_TRAIT_PREFIXES } from './loop-guard';
export { writeBackMessageId, type ReplacedState } from './write-back-id';
export { ProfileLocks } from './profile-locks';
export { downstreamReadsOf, keptInWindow, keysRead, type DownstreamReads } from './window-message';
export { creditOptionsOf, type ConversionPipelineSettings, type CreditSend } from './conversions';
