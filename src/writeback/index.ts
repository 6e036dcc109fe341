export type { IdentifyCall, TrackCall, TraitWriter } from '../pipeline/ports';
export { identifyParams, trackParams, LOOP_GUARD_INTEGRATIONS } from './payload';
export { OutboxTraitWriter } from './outbox';
export { SegmentTraitWriter } from './segment';
