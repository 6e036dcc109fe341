export {
  processBatch,
  applyBatch,
  trackWork,
  writeBackWork,
  emptyWork,
  type PendingWork,
  emptyReport,
  type BatchReport,
  type EventTracker,
  type Pipeline,
  type PipelineSettings,
  type ProfileEnricher,
} from './process';
export { mapConcurrently } from './concurrently';
export { isOwnWriteBack, OWN_TRAIT_PREFIXES } from './loop-guard';
export { createPipeline, type PipelineOverrides } from './create';
