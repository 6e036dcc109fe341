import { classify } from '../../src/classify';
import { loadRecording, recordedOptions } from './recorded';

const recording = loadRecording();

describe('recorded classifications (corpus and generated stream, before the URL splitter rewrite)', () => {
  it('holds the corpus and the distinct visits of the generated stream', () => {
    expect(recording.cases.length).toBeGreaterThanOrEqual(3_000);
  });

  it('classifies every recorded input exactly as recorded, explain included', () => {
    const differing = recording.cases
      .map(([input, options, index]) => ({
        input,
        options,
        expected: recording.results[index],
        actual: classify(input, recordedOptions(options)),
      }))
      .filter(({ expected, actual }) => JSON.stringify(expected) !== JSON.stringify(actual));
    expect(differing.slice(0, 5)).toEqual([]);
    expect(differing.length).toBe(0);
  });

  it('gives the same fields with explain off', () => {
    for (const [input, options, index] of recording.cases) {
      const { explain: _explain, ...expected } = recording.results[index] ?? {};
      expect(classify(input, Object.freeze({ ...recordedOptions(options), explain: false }))).toEqual(
        expected,
      );
    }
  });
});
