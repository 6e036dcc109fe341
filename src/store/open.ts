import type { StoreLocation } from '../config';
import { MemoryStore } from './memory';
import type { AttributionStore } from './types';

/** Opens the store the configuration names. Native and cloud backends load only when chosen. */
export async function openStore(location: StoreLocation): Promise<AttributionStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite');
      return openSqliteStore(location.path);
    }
    case 'dynamodb': {
      const { openDynamoDbStore } = await import('./dynamodb');
      return openDynamoDbStore(location.table);
    }
  }
}
