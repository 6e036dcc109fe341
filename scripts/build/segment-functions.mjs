// Bundles the two Segment Functions into single self-contained scripts for Segment's Functions runtime:
//   <dir>/touchpoint-insert.js       the destination insert function (functions/segment-functions/insert.ts)
//   <dir>/touchpoint-attribution.js  the attribution destination function (.../attribution.ts)
// Segment runs one plain script and calls its top-level `async function onTrack(event, settings)` etc.;
// there is no require, no import and no Node built-in. So: platform neutral (a Node built-in fails the
// build), an IIFE behind one global, and a footer of top-level handler declarations calling into it.
// Run alone (`node scripts/build/segment-functions.mjs <dir>`) it builds into <dir>, for the tests.
import { build } from 'esbuild';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The handlers each script declares at top level (Segment maps a message type to on<Type>). */
export const SEGMENT_FUNCTION_HANDLERS = [
  'onTrack',
  'onIdentify',
  'onPage',
  'onScreen',
  'onGroup',
  'onAlias',
  'onDelete',
  'onBatch',
];

export const SEGMENT_FUNCTIONS = [
  { entry: 'functions/segment-functions/insert.ts', file: 'touchpoint-insert.js' },
  { entry: 'functions/segment-functions/attribution.ts', file: 'touchpoint-attribution.js' },
];

const GLOBAL = '__touchpoint';

/** zod's classic API re-exports ~50 message locales but configures only English. */
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

const footer = SEGMENT_FUNCTION_HANDLERS.map((name) =>
  name === 'onBatch'
    ? `async function onBatch(events, settings) { return ${GLOBAL}.onBatch(events, settings); }`
    : `async function ${name}(event, settings) { return ${GLOBAL}.${name}(event, settings); }`,
).join('\n');

/** Builds both scripts into `dir`; returns their paths and minified sizes in bytes. */
export async function buildSegmentFunctions(dir) {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    SEGMENT_FUNCTIONS.map(async ({ entry, file }) => {
      const outfile = join(dir, file);
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'neutral',
        target: 'node20',
        format: 'iife',
        globalName: GLOBAL,
        mainFields: ['module', 'main'],
        footer: { js: footer },
        plugins: [zodEnglishOnly],
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
      return { file: outfile, bytes: (await stat(outfile)).size };
    }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'dist/segment-functions';
  for (const { file, bytes } of await buildSegmentFunctions(dir)) console.log(`${file}\t${bytes}`);
}
