import { MemoryStore } from '../../src/store';
import { describeStoreConformance } from './conformance';

describeStoreConformance('memory', async () => new MemoryStore());
