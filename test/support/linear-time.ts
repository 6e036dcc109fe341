/**
 * How much longer `work` takes on each of `shapes` at 1 MB than sixteen times at 64 KB: about 1 when it is
 * linear, about 16 when it is quadratic. The fastest of five rounds of each, after a warm-up, so a noisy
 * machine does not decide it. A ratio of the same run, never a timed limit.
 */
export function quadraticRatio(
  work: (text: string) => unknown,
  shapes: ReadonlyArray<(length: number) => string>,
): number {
  const SMALL = 64 * 1024;
  const LARGE = 16 * SMALL;
  const large = shapes.map((shape) => shape(LARGE));
  const small = shapes.map((shape) => shape(SMALL));
  const fastest = (run: () => void) => {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      run();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const runLarge = () => large.forEach((text) => work(text));
  const runSmall = () => small.forEach((text) => Array.from({ length: 16 }, () => work(text)));
  runSmall(); // warm up the JIT on both paths
  runLarge();
  return fastest(runLarge) / Math.max(fastest(runSmall), 0.5);
}
