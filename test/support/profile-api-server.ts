import type { IncomingHttpHeaders } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server';

/** One request the fake Profile API received. */
export interface ProfileApiRequest {
  path: string;
  externalId: string;
  include: string[];
  headers: IncomingHttpHeaders;
}

/**
 * A local stand-in for Segment's Profile API on 127.0.0.1 and a free port:
 * `GET /v1/spaces/<space>/collections/users/profiles/<external id>/traits?include=...` answers
 * `{traits, cursor}` with only the included traits, 404 for an unknown profile, 401 for a token other
 * than `token`, and `failWith` for the next `failures` requests. It records every request.
 */
export class FakeProfileApi {
  readonly requests: ProfileApiRequest[] = [];
  /** profiles by external id (`user_id:u1`, `anonymous_id:a1`) */
  readonly profiles = new Map<string, Record<string, unknown>>();
  failures = 0;
  failWith = 500;
  /** external ids whose every request answers `failWith` */
  readonly failingProfiles = new Set<string>();
  private server: LocalServer | undefined;

  constructor(
    readonly spaceId = 'spa_test',
    readonly token = 'profile-token',
  ) {}

  async start(): Promise<string> {
    this.server = await startLocalServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const match = /^\/v1\/spaces\/([^/]+)\/collections\/users\/profiles\/([^/]+)\/traits$/.exec(
        url.pathname,
      );
      const externalId = decodeURIComponent(match?.[2] ?? '');
      const include = (url.searchParams.get('include') ?? '').split(',').filter(Boolean);
      this.requests.push({ path: url.pathname, externalId, include, headers: request.headers });
      const json = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (this.failures > 0 || this.failingProfiles.has(externalId)) {
        if (!this.failingProfiles.has(externalId)) this.failures--;
        return json(this.failWith, { error: 'failing on purpose' });
      }
      const expected = `Basic ${Buffer.from(`${this.token}:`).toString('base64')}`;
      if (request.headers.authorization !== expected) return json(401, { error: 'unauthorized' });
      if (!match || match[1] !== this.spaceId) return json(404, { error: 'no such space' });
      const profile = this.profiles.get(externalId);
      if (!profile) return json(404, { error: 'Resource not found' });
      const traits = Object.fromEntries(
        Object.entries(profile).filter(([name]) => include.length === 0 || include.includes(name)),
      );
      return json(200, { traits, cursor: { url: url.pathname, has_more: false, next: '' } });
    });
    return this.server.url;
  }

  /** What Unify would do with the identify calls: merge their traits into the profiles. */
  applyIdentifies(messages: ReadonlyArray<Record<string, unknown>>): void {
    for (const message of messages) {
      const externalId = message.userId
        ? `user_id:${String(message.userId)}`
        : `anonymous_id:${String(message.anonymousId)}`;
      this.profiles.set(externalId, {
        ...this.profiles.get(externalId),
        ...(message.traits as Record<string, unknown>),
      });
    }
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
