import * as http from 'node:http';
import * as https from 'node:https';
import type { HTTPClient, HTTPClientRequest, HTTPResponse } from '@segment/analytics-node';

/**
 * analytics-node's transport on node:http(s) with a keep-alive agent, instead of its default `fetch`.
 * Measured on this machine against a minimal server in another process on 127.0.0.1 (5,000 one-identify
 * batches): fetch p50 0.29-0.33 ms, p99 3.3 ms; node:http with a keep-alive agent p50 0.13 ms, p99 1.7-1.9 ms.
 * A write-back is one such request per invocation, so its tail is the handler's tail. The agent keeps one
 * connection per container warm between invocations; a request that fails on a connection the server
 * closed meanwhile is retried by analytics-node (maxRetries) on a new one.
 */
export class KeepAliveHttpClient implements HTTPClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };

  makeRequest(options: HTTPClientRequest): Promise<HTTPResponse> {
    const url = new URL(options.url);
    const transport = url.protocol === 'http:' ? http : https;
    const agent = url.protocol === 'http:' ? this.agents['http:'] : this.agents['https:'];
    return new Promise<HTTPResponse>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: options.method,
          agent,
          headers: { ...options.headers, 'Content-Length': String(Buffer.byteLength(options.body)) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              headers: response.headers,
              text: () => Promise.resolve(text),
            });
          });
        },
      );
      function fail(error: Error): void {
        clearTimeout(timer);
        reject(error);
      }
      // The whole request, connection to last byte, within httpRequestTimeout (what fetch's abort signal does).
      const timer = setTimeout(
        () => request.destroy(new Error(`request timed out after ${options.httpRequestTimeout} ms`)),
        options.httpRequestTimeout,
      );
      request.on('error', fail);
      request.end(options.body);
    });
  }

  /** Closes the kept connections (the writer's `close`). */
  destroy(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
