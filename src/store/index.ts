export type {
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  MessageRecord,
  MessageStep,
  ProfileState,
} from './types';
export { MemoryStore, emptyProfileState } from './memory';
export { openStore } from './open';
