// Bundles the deployable and runnable artefacts with esbuild (one format everywhere: CommonJS):
//   dist/segment-destination.js  the Lambda handler, self-contained (template.yaml deploys it)
//   dist/cli.js                  the `touchpoint` CLI
// better-sqlite3 is a native module: it stays external and loads only when the SQLite store is chosen.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['better-sqlite3'],
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['functions/segment-destination.ts'],
    outfile: 'dist/segment-destination.js',
    minify: true,
    sourcemap: 'linked',
  }),
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.js', minify: false }),
]);
