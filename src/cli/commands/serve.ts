import { createApp } from '../../app';
import { startHttpServer, type HttpServer } from '../../http';
import { commandLogger } from '../logging';
import { defineCommand } from '../types';

/** Where `touchpoint serve` listens unless told otherwise: this machine only. */
export const SERVE_DEFAULT_HOST = '127.0.0.1';
export const SERVE_DEFAULT_PORT = 8787;

/**
 * `touchpoint serve`: the HTTP doors (POST /segment, GET /t.gif, the profile API and the web view at /)
 * on the configured store, with the same routes as the HTTP Lambda. Runs until SIGINT or SIGTERM, then
 * stops listening, flushes the writer and closes the store.
 */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve the Segment webhook, the tracking pixel, the profile API and the web view over HTTP',
  positionals: [],
  flags: {
    port: {
      type: 'number',
      min: 0,
      max: 65535,
      default: SERVE_DEFAULT_PORT,
      help: 'TCP port to listen on; 0 picks a free one',
    },
    host: {
      type: 'string',
      default: SERVE_DEFAULT_HOST,
      placeholder: 'address',
      help: 'address to bind; without TOUCHPOINT_API_TOKEN the API answers only on a loopback address',
    },
  },
  async run({ flags }, io) {
    const app = await createApp(io.env, { log: commandLogger(io) });
    let server: HttpServer;
    try {
      server = await startHttpServer(app, flags.host, flags.port);
    } catch (error) {
      await app.close();
      throw error;
    }
    io.stdout.write(`listening on ${server.url}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (name: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(name);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stderr.write(`${signal}: stopping\n`);
    await server.close();
    await app.close();
    return 0;
  },
});
