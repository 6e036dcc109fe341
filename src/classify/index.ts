/**
 * Traffic-source classification (docs/attribution.md §1-§6): one event in, channel / source / medium /
 * campaign out. Pure and portable (no Node built-ins, no I/O), so it bundles for browsers and Segment
 * Functions as well as the Lambda destination.
 */

export { classify, compileClassifier } from './classify';
export { DEFAULT_UNWANTED_REFERRERS } from './options';
export {
  CHANNELS,
  DEFAULT_CLASSIFIER_OPTIONS,
  type CampaignContext,
  type Channel,
  type ClassifierOptions,
  type Classification,
  type ClassifyInput,
  type Explanation,
  type Signal,
} from './types';
