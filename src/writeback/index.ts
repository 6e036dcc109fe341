export type { IdentifyCall, TraitWriter } from '../pipeline/ports';
export { identifyParams, LOOP_GUARD_INTEGRATIONS } from './payload';
export { OutboxTraitWriter } from './outbox';
export { SegmentTraitWriter } from './segment';
