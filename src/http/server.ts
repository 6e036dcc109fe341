import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { App } from '../app';
import { createHttpRoutes } from './routes';

/** A running `touchpoint serve`: where it listens, and `close`. */
export interface HttpServer {
  /** `http://HOST:PORT`, with the port the system picked when 0 was asked for */
  url: string;
  close(): Promise<void>;
}

/** True for the addresses only this machine can reach (the API answers them without a token). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Serves the HTTP doors for `app` on `host:port` (node:http through @hono/node-server; port 0 picks a
 * free one). `close` stops listening and drops open connections; the app stays the caller's to close.
 */
export async function startHttpServer(app: App, host: string, port: number): Promise<HttpServer> {
  const routes = createHttpRoutes({ loadApp: async () => app, loopback: isLoopbackHost(host) });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started: ServerType = serve({ fetch: routes.fetch, hostname: host, port }, () => resolve(started));
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
