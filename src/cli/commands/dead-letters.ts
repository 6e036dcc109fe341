import { loadConfig } from '../../config';
import { openStore } from '../../store';
import { numberFlag, parseArgs } from '../args';
import type { Command } from '../types';

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  usage: 'dead-letters [--limit 20]',
  summary: 'print the newest dead-lettered messages (reason and payload) as JSON lines',
  async run(args, io) {
    const store = await openStore(loadConfig(io.env).store);
    try {
      for (const letter of await store.listDeadLetters(numberFlag(parseArgs(args), 'limit', 20))) {
        io.stdout.write(JSON.stringify(letter) + '\n');
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
