import { viewProfile } from '../../profile';
import { openExistingStore } from '../store';
import { defineCommand } from '../types';

export const profileCommand = defineCommand({
  name: 'profile',
  summary: 'print a profile as JSON: linked ids, touches, first/last touch, traits last written',
  positionals: [{ name: 'id', help: 'a userId or anonymousId' }],
  flags: {},
  async run({ args }, io) {
    // Says which store it reads (on stderr) and never creates one: see openExistingStore.
    const app = await openExistingStore(io);
    try {
      const view = await viewProfile(app.store, args.id, app.settings);
      if (!view) {
        io.stderr.write(`no profile found for "${args.id}"\n`);
        return 1;
      }
      io.stdout.write(JSON.stringify(view, null, 2) + '\n');
      return 0;
    } finally {
      await app.close();
    }
  },
});
