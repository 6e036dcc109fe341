import type { App } from '../../src/app';
import { createHttpRoutes, isLoopbackHost, type HttpServer } from '../../src/http';
import { identifyEvent, pageEvent } from '../support/events';
import { serveOnLoopback, serveRoutes, testApp } from './support';

const TOKEN = 'api-token-for-tests';

/** A visitor from a newsletter who signs up: a profile with a userId, an anonymousId and one touch. */
async function seed(app: App): Promise<void> {
  const { deliver } = await import('../../src/app');
  await deliver(app, [
    pageEvent({
      anonymousId: 'anon-7',
      at: '2026-03-01T10:00:00Z',
      url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email',
    }),
    identifyEvent({ anonymousId: 'anon-7', userId: 'user-7', at: '2026-03-01T10:05:00Z' }),
  ]);
}

describe('the profile API (/api/users/:id, /api/anonymous/:id)', () => {
  let app: App;
  let server: HttpServer;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });

  afterEach(async () => {
    await server.close();
    await app.close();
  });

  describe('with TOUCHPOINT_API_TOKEN', () => {
    beforeEach(async () => {
      app = await testApp({ TOUCHPOINT_API_TOKEN: TOKEN });
      await seed(app);
      server = await serveOnLoopback(app);
    });

    it('answers the profile view for the right bearer token, by userId and by anonymousId', async () => {
      // Act
      const byUser = await get('/api/users/user-7', { Authorization: `Bearer ${TOKEN}` });
      const byAnon = await get('/api/anonymous/anon-7', { Authorization: `Bearer ${TOKEN}` });

      // Assess
      expect(byUser.status).toBe(200);
      expect(byUser.headers.get('cache-control')).toBe('no-store');
      const view = (await byUser.json()) as Record<string, unknown>;
      expect(view).toMatchObject({
        target: 'user:user-7',
        linked_ids: expect.arrayContaining(['user:user-7', 'anon:anon-7']),
        first_touch: expect.objectContaining({ channel: 'Email', source: 'newsletter' }),
        last_touch: expect.objectContaining({ channel: 'Email' }),
        traits: expect.objectContaining({ first_touch_channel: 'Email', touch_count: 1 }),
        written_traits: expect.objectContaining({ first_touch_channel: 'Email' }),
      });
      expect(Object.keys(view)).toEqual(
        expect.arrayContaining(['touches', 'written_at', 'recommendations', 'first_non_direct_touch']),
      );
      expect(await byAnon.json()).toEqual(view);
    });

    it('answers 401 without the token or with a wrong one, and 404 for an id it does not know', async () => {
      // Act
      const none = await get('/api/users/user-7');
      const wrong = await get('/api/users/user-7', { Authorization: 'Bearer nope' });
      const basic = await get('/api/users/user-7', { Authorization: `Basic ${TOKEN}` });
      const unknown = await get('/api/users/nobody', { Authorization: `Bearer ${TOKEN}` });
      const summary = await get('/api/summary');

      // Assess
      expect([none.status, wrong.status, basic.status, summary.status]).toEqual([401, 401, 401, 401]);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(unknown.status).toBe(404);
    });
  });

  describe('without TOUCHPOINT_API_TOKEN', () => {
    it('answers on a loopback bind (touchpoint serve on 127.0.0.1)', async () => {
      // Prepare
      app = await testApp();
      await seed(app);
      server = await serveOnLoopback(app);

      // Act
      const response = await get('/api/users/user-7');

      // Assess
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ target: 'user:user-7' });
    });

    it('refuses with 403 naming TOUCHPOINT_API_TOKEN when the server is not loopback-only (the HTTP Lambda)', async () => {
      // Prepare: the routes as a non-loopback server has them, still served on 127.0.0.1 for the test
      app = await testApp();
      await seed(app);
      const routes = createHttpRoutes({ loadApp: async () => app, loopback: false });
      server = await serveRoutes(routes);

      // Act
      const response = await get('/api/users/user-7');
      const pixel = await get('/t.gif?anonymousId=still-tracked');

      // Assess
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: string }).error).toContain('TOUCHPOINT_API_TOKEN');
      expect(pixel.status).toBe(200); // the pixel and the webhook do not need the API token
    });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
