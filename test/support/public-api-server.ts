import { readBody, startLocalServer, type LocalServer } from './local-server';

/** A function as the fake workspace holds it. */
export interface StoredFunction {
  id: string;
  displayName: string;
  resourceType: string;
  code: string;
  description?: string;
  settings?: unknown[];
}

/** One request the fake Public API received. */
export interface PublicApiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
}

/**
 * A local stand-in for Segment's Public API Functions endpoints on 127.0.0.1 and a free port: `GET /`
 * (the token's workspace), `GET /functions?resourceType=&pagination[count]=&pagination[cursor]=`
 * (paged by `pageSize`), `POST /functions`, `PATCH /functions/<id>`. Like Segment, it appends
 * ` (<workspace>)` to a destination function's display name. A token other than `token` gets 401.
 */
export class FakePublicApi {
  readonly requests: PublicApiRequest[] = [];
  readonly functions: StoredFunction[] = [];
  pageSize = 2;
  private server: LocalServer | undefined;
  private nextId = 1;

  constructor(
    readonly workspace = 'Acme Shop',
    readonly token = 'public-api-token',
  ) {}

  async start(): Promise<string> {
    this.server = await startLocalServer((request, response) => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const text = await readBody(request);
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
        this.requests.push({
          method: request.method ?? '',
          path: `${url.pathname}${url.search}`,
          authorization: request.headers.authorization,
          body,
        });
        const json = (status: number, value: unknown) =>
          response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (request.headers.authorization !== `Bearer ${this.token}`)
          return json(401, { errors: [{ type: 'unauthorized', message: 'Unauthorized' }] });
        if (request.method === 'GET' && url.pathname === '/')
          return json(200, { data: { workspace: { id: 'ws1', slug: 'acme-shop', name: this.workspace } } });
        if (request.method === 'GET' && url.pathname === '/functions') {
          const type = url.searchParams.get('resourceType');
          const start = Number(url.searchParams.get('pagination[cursor]') ?? '0');
          const count = Math.min(Number(url.searchParams.get('pagination[count]') ?? '10'), this.pageSize);
          const matching = this.functions.filter((item) => item.resourceType === type);
          const page = matching.slice(start, start + count);
          const next = start + count < matching.length ? String(start + count) : null;
          return json(200, {
            data: {
              functions: page.map(({ code: _code, ...rest }) => rest),
              pagination: { current: String(start), next, totalEntries: matching.length },
            },
          });
        }
        if (request.method === 'POST' && url.pathname === '/functions' && body) {
          const resourceType = String(body.resourceType);
          const created: StoredFunction = {
            id: `fn${this.nextId++}`,
            displayName:
              resourceType === 'DESTINATION'
                ? `${String(body.displayName)} (${this.workspace})`
                : String(body.displayName),
            resourceType,
            code: String(body.code),
            description: String(body.description ?? ''),
            settings: body.settings as unknown[],
          };
          this.functions.push(created);
          return json(200, { data: { function: created } });
        }
        const patch = /^\/functions\/([^/]+)$/.exec(url.pathname);
        if (request.method === 'PATCH' && patch && body) {
          const found = this.functions.find((item) => item.id === patch[1]);
          if (!found) return json(404, { errors: [{ type: 'not-found', message: 'Not found' }] });
          Object.assign(found, { code: body.code, description: body.description, settings: body.settings });
          return json(200, { data: { function: found } });
        }
        return json(404, { errors: [{ type: 'not-found', message: 'Not found' }] });
      })();
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
