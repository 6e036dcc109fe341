import { resolve } from 'node:path';
import { createStoreApp, type StoreApp } from '../app';
import { loadConfig, type StoreLocation } from '../config';
import type { CliIO } from './types';

/**
 * The store as read-only tools (`profile`, `dead-letters`) open it: never created. A SQLite file that
 * does not exist is an error naming TOUCHPOINT_STORE and the path, not a new empty store that answers
 * "no profile found" for everyone. Writes `store: <where>` on stderr first, so the reader knows which
 * store answered.
 */
export async function openExistingStore(io: Pick<CliIO, 'env' | 'stderr'>): Promise<StoreApp> {
  io.stderr.write(`store: ${storeLabel(loadConfig(io.env).store)}\n`);
  return createStoreApp(io.env);
}

/** `sqlite:/abs/path`, `dynamodb:<table>` or `memory`, as the `store:` line shows it. */
export function storeLabel(location: StoreLocation): string {
  switch (location.kind) {
    case 'sqlite':
      return `sqlite:${location.path === ':memory:' ? location.path : resolve(location.path)}`;
    case 'dynamodb':
      return `dynamodb:${location.table}`;
    case 'memory':
      return 'memory (holds nothing between runs)';
  }
}
