import { loadConfig } from '../../config';
import { createPipeline } from '../../pipeline';
import { viewProfile } from '../../profile';
import type { Command } from '../types';

export const profileCommand: Command = {
  name: 'profile',
  usage: 'profile <userId|anonymousId>',
  summary: 'print a profile as JSON: linked ids, touches, first/last touch, traits last written',
  async run(args, io) {
    const id = args[0];
    if (!id) throw new Error('name a userId or anonymousId');
    const config = loadConfig(io.env);
    const pipeline = await createPipeline(config);
    try {
      const view = await viewProfile(pipeline.store, id, pipeline.settings);
      if (!view) {
        io.stderr.write(`no profile found for "${id}"\n`);
        return 1;
      }
      io.stdout.write(JSON.stringify(view, null, 2) + '\n');
      return 0;
    } finally {
      await pipeline.store.close();
    }
  },
};
