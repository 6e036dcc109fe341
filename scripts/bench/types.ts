/** One benchmark's figures, printed by scripts/bench.ts and copied into the README's benchmark table. */
export interface BenchResult {
  section: string;
  rows: Array<{ metric: string; value: number; unit: string; target?: string }>;
  /** free-form lines printed under the table (inputs used, ratios, caveats) */
  notes?: string[];
}
