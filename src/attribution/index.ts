export {
  computeAttribution,
  compareTouches,
  directTouchesContinued,
  orderedTouches,
  type Attribution,
  type AttributionOptions,
  type IdentityEvent,
} from './model';
export {
  touchCandidateOf,
  toTouch,
  visitInputOf,
  type Touch,
  type TouchCandidate,
  type VisitFields,
} from './touch';
export {
  attributionTraits,
  changedTraits,
  TRAIT_PRESETS,
  type TraitPreset,
  type Traits,
  type TraitValue,
} from './traits';
export { DEFAULT_URL_PARAMETERS, keepAllowedParameters } from './urls';
