// Bundles the deployable and runnable artefacts with esbuild (one format everywhere: CommonJS):
//   dist/lambda/segment-destination.js  the Lambda handler, self-contained; dist/lambda/ is all that
//                                       template.yaml deploys (CodeUri), so it holds nothing else but a
//                                       package.json naming it (for `sam build`)
//   dist/cli.js                         the `touchpoint` CLI (never deployed)
// Source maps are opt-in (TOUCHPOINT_SOURCEMAP=1): a map triples the artefact, and loading it with
// --enable-source-maps costs memory and cold-start time in Lambda.
// better-sqlite3 is a native module: it stays external and loads only when the SQLite store is chosen
// (the CLI; the Lambda uses DynamoDB).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const LAMBDA_DIR = 'dist/lambda';
const sourcemap = process.env.TOUCHPOINT_SOURCEMAP === '1';

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

// A fresh Lambda directory, so a map from an earlier opt-in build is never deployed; the files of the
// earlier single-directory layout go too.
await Promise.all(
  [LAMBDA_DIR, 'dist/segment-destination.js', 'dist/segment-destination.js.map'].map((path) =>
    rm(path, { recursive: true, force: true }),
  ),
);
await mkdir(LAMBDA_DIR, { recursive: true });

const { version } = JSON.parse(await readFile('package.json', 'utf8'));

await Promise.all([
  build({
    ...common,
    entryPoints: ['functions/segment-destination.ts'],
    outfile: `${LAMBDA_DIR}/segment-destination.js`,
    minify: true,
    sourcemap: sourcemap ? 'linked' : false,
  }),
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.js', minify: false }),
  // `sam build` runs npm in CodeUri and fails without a package.json; no dependencies: the bundle has them.
  writeFile(
    `${LAMBDA_DIR}/package.json`,
    `${JSON.stringify({ name: 'touchpoint-lambda', version, private: true, main: 'segment-destination.js' }, null, 2)}\n`,
  ),
]);
