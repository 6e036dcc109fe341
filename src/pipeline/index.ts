export {
  createEngine,
  type DeliveryWindow,
  type Engine,
  type Pipeline,
  type PipelineSettings,
  type WindowOptions,
} from './engine';
export type {
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  EventTracker,
  IdentifyCall,
  MessageRecord,
  MessageStep,
  ProfileEnricher,
  ProfileState,
  TraitWriter,
} from './ports';
export { computeProfile, type ComputedProfile } from './profile';
export { addReport, emptyReport, type BatchReport } from './report';
export { mapConcurrently } from './concurrently';
export { isOwnWriteBack, OWN_TRAIT_PREFIXES } from './loop-guard';
export { writeBackMessageId } from './write-back-id';
