/**
 * touchpoint as two Segment Functions (no AWS): an insert function that classifies every visit before
 * it reaches any destination, and a destination function that keeps first/last-touch traits on Unify
 * profiles. Pure: the Profile and Tracking API calls are ports (src/segment-api implements them), so
 * the same code runs in Segment's runtime, the local sandbox and the tests.
 */

export {
  ATTRIBUTION_FUNCTION_NAME,
  INSERT_FUNCTION_NAME,
  messageOf,
  planWriteBack,
  profileRefOf,
  stateTraitNames,
  touchOf,
  traitsAfter,
  writeBackIdOf,
  type ProfileRef,
  type WriteBackCall,
} from './attribution';
export { classifyEventForInsert, type InsertedClassification } from './insert';
export { batchStatusOf, outcomeOf, runAttribution, type AttributionPorts, type EventOutcome } from './run';
export {
  ATTRIBUTION_SETTINGS,
  DEFAULT_LOOKBACK_DAYS,
  DEFAULT_TARGET_FIELD,
  FUNCTION_TRAIT_PRESETS,
  INSERT_SETTINGS,
  REGIONS,
  attributionOptionsOf,
  insertOptionsOf,
  type AttributionFunctionOptions,
  type FunctionSetting,
  type FunctionSettingType,
  type InsertOptions,
  type RawSettings,
} from './settings';
