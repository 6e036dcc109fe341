export { computeAttribution, compareTouches, type Attribution, type AttributionOptions } from './model';
export { touchCandidateOf, toTouch, type Touch, type TouchCandidate } from './touch';
export {
  attributionTraits,
  changedTraits,
  TRAIT_PRESETS,
  type TraitPreset,
  type Traits,
  type TraitValue,
} from './traits';
