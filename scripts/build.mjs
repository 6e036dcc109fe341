// Bundles the deployable and runnable artefacts with esbuild (one format everywhere: CommonJS):
//   dist/segment-destination.js  the Lambda handler, self-contained (template.yaml deploys it)
//   dist/cli.js                  the `touchpoint` CLI
// better-sqlite3 is a native module: it stays external and loads only when the SQLite store is chosen.
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

/** zod's classic API re-exports ~50 message locales (~300 KB) but configures only English. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(context) {
    context.onResolve({ filter: /locales[\\/]index\.js$/ }, (args) =>
      args.importer.includes(join('node_modules', 'zod'))
        ? { path: resolve('scripts/build/zod-locales-en.mjs') }
        : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ES module builds first: they let esbuild drop what the AWS SDK clients do not use.
  mainFields: ['module', 'main'],
  external: ['better-sqlite3'],
  plugins: [zodEnglishOnly],
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
