export type { IdentifyCall, TraitWriter } from './types';
export { identifyParams, writeBackMessageId, LOOP_GUARD_INTEGRATIONS } from './payload';
export { OutboxTraitWriter } from './outbox';
export { SegmentTraitWriter } from './segment';
