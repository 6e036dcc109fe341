import { runAsProcess } from './main';

/** Process entry of the bundled CLI (dist/cli.js). */
runAsProcess(process.argv.slice(2));
