// Bundles the deployable and runnable artefacts with esbuild (one format everywhere: CommonJS):
//   dist/lambda/segment-destination.js  the Lambda handler, self-contained; dist/lambda/ is all that
//                                       template.yaml deploys (CodeUri), so it holds nothing else but a
//                                       package.json naming it (for `sam build`)
//   dist/lambda-http/http.js            the HTTP doors' Lambda (webhook, pixel, profile API, web view),
//                                       self-contained, with its own package.json, deployed only when
//                                       template.yaml's EnableHttpApi is true
//   dist/cli.js                         the `touchpoint` CLI (never deployed)
//   dist/segment-functions/*.js         the two Segment Functions scripts (scripts/build/segment-functions.mjs)
// Source maps are opt-in (TOUCHPOINT_SOURCEMAP=1): a map triples the artefact, and loading it with
// --enable-source-maps costs memory and cold-start time in Lambda.
// better-sqlite3 is a native module: it stays external and loads only when the SQLite store is chosen
// (the CLI; the Lambda uses DynamoDB).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { buildSegmentFunctions } from './build/segment-functions.mjs';

const LAMBDA_DIR = 'dist/lambda';
const HTTP_LAMBDA_DIR = 'dist/lambda-http';
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

/**
 * The web view's Chart.js, embedded as text: src/http/chart-source.ts reads it from node_modules when
 * run from source; in a bundle it is this string (chart.js is a devDependency, absent where bundles run).
 */
const embeddedChartJs = {
  name: 'embedded-chart-js',
  setup(context) {
    context.onLoad({ filter: /src[\\/]http[\\/]chart-source\.ts$/ }, async () => {
      const file = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
      const text = await readFile(file, 'utf8');
      return {
        contents: `export function chartJsSource() { return ${JSON.stringify(text)}; }`,
        loader: 'ts',
      };
    });
  },
};

/** The Lambda bundles open DynamoDB or memory stores only (scripts/build/sqlite-absent.ts says why). */
const lambdaWithoutSqlite = {
  name: 'lambda-without-sqlite',
  setup(context) {
    context.onResolve({ filter: /[\\/]store[\\/]sqlite$/ }, (args) =>
      args.importer.endsWith(join('src', 'app', 'store.ts'))
        ? { path: resolve('scripts/build/sqlite-absent.ts') }
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
  plugins: [zodEnglishOnly, embeddedChartJs],
  legalComments: 'none',
  logLevel: 'warning',
};

// A fresh Lambda directory, so a map from an earlier opt-in build is never deployed; the files of the
// earlier single-directory layout go too.
await Promise.all(
  [LAMBDA_DIR, HTTP_LAMBDA_DIR, 'dist/segment-destination.js', 'dist/segment-destination.js.map'].map(
    (path) => rm(path, { recursive: true, force: true }),
  ),
);
await mkdir(LAMBDA_DIR, { recursive: true });
await mkdir(HTTP_LAMBDA_DIR, { recursive: true });

const { version } = JSON.parse(await readFile('package.json', 'utf8'));

await Promise.all([
  build({
    ...common,
    plugins: [...common.plugins, lambdaWithoutSqlite],
    entryPoints: ['functions/segment-destination.ts'],
    outfile: `${LAMBDA_DIR}/segment-destination.js`,
    minify: true,
    sourcemap: sourcemap ? 'linked' : false,
  }),
  build({
    ...common,
    plugins: [...common.plugins, lambdaWithoutSqlite],
    entryPoints: ['functions/http.ts'],
    outfile: `${HTTP_LAMBDA_DIR}/http.js`,
    minify: true,
    sourcemap: sourcemap ? 'linked' : false,
  }),
  writeFile(
    `${HTTP_LAMBDA_DIR}/package.json`,
    `${JSON.stringify({ name: 'touchpoint-lambda-http', version, private: true, main: 'http.js' }, null, 2)}\n`,
  ),
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/cli.js', minify: false }),
  buildSegmentFunctions('dist/segment-functions'),
  // `sam build` runs npm in CodeUri and fails without a package.json; no dependencies: the bundle has them.
  writeFile(
    `${LAMBDA_DIR}/package.json`,
    `${JSON.stringify({ name: 'touchpoint-lambda', version, private: true, main: 'segment-destination.js' }, null, 2)}\n`,
  ),
]);
