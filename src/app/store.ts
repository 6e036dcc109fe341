import type { StoreLocation } from '../config';
import type { AttributionStore } from '../pipeline';
import { MemoryStore } from '../store';

/**
 * Opens the store the configuration names. Native and cloud backends load only when chosen. With
 * `mustExist`, a SQLite file that is not there is an error instead of a new empty store.
 */
export async function openStore(
  location: StoreLocation,
  options: { mustExist?: boolean } = {},
): Promise<AttributionStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      const { openSqliteStore } = await import('../store/sqlite');
      return openSqliteStore(location.path, options);
    }
    case 'dynamodb': {
      const { openDynamoDbStore } = await import('../store/dynamodb');
      return openDynamoDbStore(location.table);
    }
  }
}
