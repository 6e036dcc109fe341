import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server one test fake runs: its base URL, and `close`, which also drops connections still open. */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `handle` on 127.0.0.1 and a free port, as every local peer (Segment, Personalize, SSM, Lambda)
 * does, so no test depends on a fixed port or reaches beyond loopback.
 */
export async function startLocalServer(handle: RequestListener): Promise<LocalServer> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A request's whole body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}
