// Build-time stand-in for src/store/sqlite.ts in the Lambda bundles. Lambda ships no better-sqlite3 (a
// native module, left out of every bundle) and keeps no state between containers, so the SQLite store
// could never open there; leaving it out keeps about 14 KB of code out of the deployed artifacts.
import { ConfigurationError } from '../../src/errors';

export async function openSqliteStore(): Promise<never> {
  throw new ConfigurationError(
    'this Lambda bundle has no SQLite store: set TOUCHPOINT_STORE to dynamodb:<table> (or memory to try it)',
  );
}
