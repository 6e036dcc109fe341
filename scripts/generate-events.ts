/**
 * The event generator as a script: `npx tsx scripts/generate-events.ts --users 100 --out events.jsonl`.
 * Same options as `touchpoint generate`.
 */
import { runAsProcess } from '../src/cli/main';

runAsProcess(['generate', ...process.argv.slice(2)]);
