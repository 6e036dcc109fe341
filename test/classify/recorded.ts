/**
 * Recorded classifications: every corpus case (with its options) and every distinct visit of the
 * generated stream the benchmarks use (2,000 users, seed 7), classified with `explain` on, stored with
 * their inputs so the check does not depend on the generator staying byte-identical. Recorded from the
 * classifier before its URL splitting was rewritten for speed (issue 16 item 6); re-record only for an
 * intended change of results: `npx tsx test/classify/recorded.ts`.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { visitInputOf } from '../../src/attribution/touch';
import {
  type ClassifierOptions,
  type Classification,
  type ClassifyInput,
  classify,
  DEFAULT_CLASSIFIER_OPTIONS,
} from '../../src/classify';
import type { SegmentMessage } from '../../src/events';
import { generateEvents } from '../../src/generate';
import { loadCorpus, toClassifyInput } from './corpus';

/** One recorded call: input, options over the defaults, index of its result in `results`. */
export type RecordedCase = [input: ClassifyInput, options: Partial<ClassifierOptions> | null, result: number];

/** The recording: distinct results, and the cases that point at them. */
export interface Recording {
  results: Classification[];
  cases: RecordedCase[];
}

/** gzip keeps the 3,400 cases (1.1 MB of JSON) at about 80 KB in the repository. */
export const RECORDING_PATH = join(__dirname, 'recorded-classifications.json.gz');

/** The options a recorded case runs with: its overrides over the defaults, explain on. */
export const recordedOptions = (overrides: Partial<ClassifierOptions> | null): ClassifierOptions =>
  Object.freeze({ ...DEFAULT_CLASSIFIER_OPTIONS, ...overrides, explain: true });

/** The inputs that are recorded: the corpus cases, then the distinct visits of the generated stream. */
export function recordedInputs(): Array<[ClassifyInput, Partial<ClassifierOptions> | null]> {
  const inputs: Array<[ClassifyInput, Partial<ClassifierOptions> | null]> = loadCorpus().map((corpusCase) => [
    toClassifyInput(corpusCase),
    corpusCase.options ?? null,
  ]);
  const seen = new Set<string>();
  const events = generateEvents({ users: 2000, seed: 7, start: new Date('2026-01-01T00:00:00Z') });
  for (const event of events) {
    const input = visitInputOf(event as unknown as SegmentMessage);
    if (input === null) continue;
    const key = JSON.stringify([input.pageUrl, input.referrer, input.campaign]);
    if (seen.has(key)) continue;
    seen.add(key);
    inputs.push([input, null]);
  }
  return inputs;
}

/** Reads the recording. */
export function loadRecording(): Recording {
  return JSON.parse(gunzipSync(readFileSync(RECORDING_PATH)).toString('utf8')) as Recording;
}

function record(): void {
  const results: Classification[] = [];
  const indexOf = new Map<string, number>();
  const cases = recordedInputs().map(([input, overrides]): RecordedCase => {
    const result = classify(input, recordedOptions(overrides));
    const key = JSON.stringify(result);
    let index = indexOf.get(key);
    if (index === undefined) {
      index = results.length;
      results.push(result);
      indexOf.set(key, index);
    }
    return [input, overrides, index];
  });
  writeFileSync(RECORDING_PATH, gzipSync(JSON.stringify({ results, cases }), { level: 9 }));
  console.log(`${cases.length} cases, ${results.length} distinct results -> ${RECORDING_PATH}`);
}

if (require.main === module) record();
