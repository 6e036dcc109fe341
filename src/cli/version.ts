// A named import from package.json: esbuild bundles just this field into dist/cli.js.
import { version } from '../../package.json';

/** touchpoint's version, as package.json states it (`touchpoint --version`). */
export const VERSION: string = version;
