import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type Env } from '../../src/app';
import { createHttpRoutes, startHttpServer, type HttpServer } from '../../src/http';
import { silentLogger } from '../../src/log';
import type { AttributionStore } from '../../src/pipeline';
import { MemoryStore } from '../../src/store';
import { RecordingTraitWriter } from '../support/recording-writer';

/** The clock every HTTP test app runs on (recommendation refreshes depend on it). */
export const FIXED_NOW = new Date('2026-11-01T00:00:00.000Z');

/** The environment every HTTP test app starts from: a memory store, no logs, the shop's own domain. */
export const BASE_ENV: Env = {
  TOUCHPOINT_STORE: 'memory',
  TOUCHPOINT_LOG_LEVEL: 'silent',
  TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
};

/** An app on a memory store (or the given one) with a recording writer, as the HTTP doors use it. */
export async function testApp(
  env: Env = {},
  store: AttributionStore = new MemoryStore(),
): Promise<App & { writer: RecordingTraitWriter }> {
  const writer = new RecordingTraitWriter();
  const app = await createApp(
    { ...BASE_ENV, ...env },
    { store, writer, log: silentLogger, clock: () => FIXED_NOW },
  );
  return Object.assign(app, { writer });
}

/** `touchpoint serve`'s server for `app` on 127.0.0.1 and a free port. */
export function serveOnLoopback(app: App): Promise<HttpServer> {
  return startHttpServer(app, '127.0.0.1', 0);
}

/** The names of the store methods called, in order (a store that records every call made to it). */
export function recordingStore(): { store: AttributionStore; calls: string[] } {
  const calls: string[] = [];
  const inner = new MemoryStore();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

/** Routes built with other options than `touchpoint serve`'s (the HTTP Lambda's), served on 127.0.0.1. */
export async function serveRoutes(routes: ReturnType<typeof createHttpRoutes>): Promise<HttpServer> {
  const started = await new Promise<ServerType>((resolve) => {
    const server: ServerType = serve({ fetch: routes.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(server),
    );
  });
  return {
    url: `http://127.0.0.1:${(started.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in started) started.closeAllConnections();
        started.close(() => resolve());
      }),
  };
}
