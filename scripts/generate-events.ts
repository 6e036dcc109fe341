/**
 * The event generator as a script: `npx tsx scripts/generate-events.ts --users 100 --out events.jsonl`.
 * Same options as `touchpoint generate`.
 */
import { runCli } from '../src/cli/main';

runCli({
  argv: ['generate', ...process.argv.slice(2)],
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
