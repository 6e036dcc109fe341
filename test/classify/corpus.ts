/**
 * The classifier corpus (test/classify/corpus.json): real inputs and inputs derived from docs/attribution.md,
 * with the expected result and the docs/attribution.md section or public test data that justifies it. Shared
 * by the tests and by scripts/bench/classify.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignContext, ClassifierOptions, Classification, ClassifyInput } from '../../src/classify';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../../src/classify';

/** One corpus case as stored in JSON. */
export interface CorpusCase {
  name: string;
  input: {
    page_url: string | null;
    referrer: string | null;
    page_host?: string;
    campaign?: CampaignContext;
  };
  expect: Partial<Classification>;
  why: string;
  options?: Partial<ClassifierOptions>;
}

/** Path of the corpus file. */
export const CORPUS_PATH = join(__dirname, 'corpus.json');

/** Reads the corpus. */
export function loadCorpus(): CorpusCase[] {
  return JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as CorpusCase[];
}

/** The corpus input as the classifier takes it. */
export function toClassifyInput(corpusCase: CorpusCase): ClassifyInput {
  return {
    pageUrl: corpusCase.input.page_url,
    referrer: corpusCase.input.referrer,
    pageHost: corpusCase.input.page_host ?? null,
    campaign: corpusCase.input.campaign ?? null,
  };
}

/** The case's options merged over the defaults (one frozen object per case, so compilation caches). */
export function toOptions(corpusCase: CorpusCase): ClassifierOptions {
  return Object.freeze({ ...DEFAULT_CLASSIFIER_OPTIONS, ...corpusCase.options });
}
