export type {
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  MessageRecord,
  MessageStep,
  ProfileState,
} from '../pipeline/ports';
export { MemoryStore, emptyProfileState } from './memory';
