import { openExistingStore } from '../store';
import { defineCommand } from '../types';

export const deadLettersCommand = defineCommand({
  name: 'dead-letters',
  summary: 'print the newest dead-lettered messages (reason and payload) as JSON lines',
  positionals: [],
  flags: {
    limit: { type: 'number', min: 1, max: 100_000, default: 20, help: 'how many, newest first' },
  },
  async run({ flags }, io) {
    const app = await openExistingStore(io);
    try {
      for (const letter of await app.store.listDeadLetters(flags.limit)) {
        io.stdout.write(JSON.stringify(letter) + '\n');
      }
      return 0;
    } finally {
      await app.close();
    }
  },
});
