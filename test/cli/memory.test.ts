import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const MODULE = join(__dirname, '../../src/cli/memory.ts');

/**
 * A heap with a 60 MB live set that promotes short-lived garbage (the last 20 batches of 20,000 objects
 * are kept, as a replay window keeps its messages): the peak heap size V8 reaches, in a fresh process,
 * with or without boundHeapGrowth.
 */
function peakHeapMb(bounded: boolean): number {
  const script = `
    ${bounded ? `require(${JSON.stringify(MODULE)}).boundHeapGrowth();` : ''}
    const live = [];
    for (let i = 0; i < 400000; i++) live.push({ id: 'x' + i, n: i, tags: [i, i + 1] });
    let peak = 0;
    const recent = [];
    for (let round = 0; round < 400; round++) {
      const batch = [];
      for (let i = 0; i < 20000; i++) batch.push({ a: 'g' + i, b: [i] });
      recent.push(batch);
      if (recent.length > 20) recent.shift();
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(JSON.stringify({ live: live.length, peak }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return (JSON.parse(child.stdout.trim()) as { peak: number }).peak / 1048576;
}

describe('boundHeapGrowth', () => {
  it('keeps the heap of a churning process well under what V8 grows it to by default', () => {
    // Act
    const unbounded = peakHeapMb(false);
    const bounded = peakHeapMb(true);

    // Assess: measured 493-499 MB against 221-231 MB on this machine
    expect(bounded).toBeLessThan(unbounded * 0.7);
  }, 60_000);
});
