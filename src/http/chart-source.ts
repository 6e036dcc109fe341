import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The Chart.js UMD build the web view serves as /assets/chart.js. Read from node_modules when run from
 * source (tests, tsx); scripts/build.mjs replaces this module with the file's text, so the bundles (the
 * CLI and the HTTP Lambda) carry it and need no node_modules and no CDN.
 */
export function chartJsSource(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}
