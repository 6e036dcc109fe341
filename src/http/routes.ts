import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deliver, type App, type DeliveryOptions } from '../app';
import { describeError } from '../errors';
import { viewProfile } from '../profile';
import { chartJsSource } from './chart-source';
import { WEB_VIEW_HEADERS, WEB_VIEW_HTML, WEB_VIEW_SCRIPT } from './page';
import { PIXEL_GIF, PIXEL_HEADERS, PIXEL_PARAMETERS, pixelMessage } from './pixel';
import { isSignedBySegment, sameSecret, SIGNATURE_HEADER } from './signature';
import { SUMMARY_PROFILES_DEFAULT, SUMMARY_PROFILES_MAX, summarise } from './summary';

/** How the routes reach the app, and what the server they run in says about itself. */
export interface HttpDoorOptions<B extends object> {
  /** the app; called for each request (wrap a Lambda's in appOnce, so it is built once per container) */
  loadApp: () => Promise<App>;
  /**
   * True when the server is bound to a loopback address only (`touchpoint serve` on 127.0.0.1): then,
   * and only then, the API answers without TOUCHPOINT_API_TOKEN configured. The HTTP Lambda passes false.
   */
  loopback: boolean;
  /** what the platform leaves a request (Lambda: the context's remaining time and request id) */
  deliveryOptions?: (bindings: B) => DeliveryOptions;
}

/**
 * The HTTP doors, one routing table for `touchpoint serve` and the HTTP Lambda:
 * - `POST /segment`: the Segment Webhooks destination (one message, or an Actions batch as an array),
 *   checked against TOUCHPOINT_WEBHOOK_SECRET when set, delivered through `deliver`;
 * - `GET /t.gif`: the tracking pixel, a `page` (or `track`) through the same engine;
 * - `GET /api/users/:id`, `/api/anonymous/:id`, `/api/summary`: the profile API (a bearer token);
 * - `GET /`: the web view and its assets.
 */
export function createHttpRoutes<B extends object = object>(
  options: HttpDoorOptions<B>,
): Hono<{ Bindings: B }> {
  const routes = new Hono<{ Bindings: B }>();
  const { loadApp } = options;
  const deliveryOptions = (c: { env: unknown }): DeliveryOptions =>
    options.deliveryOptions?.(c.env as B) ?? {};

  routes.post(
    '/segment',
    async (c, next) => {
      const { bodyLimitBytes } = (await loadApp()).config.http;
      return bodyLimit({
        maxSize: bodyLimitBytes,
        onError: (limited) =>
          limited.json({ error: `request body is larger than ${bodyLimitBytes} bytes` }, 413),
      })(c, next);
    },
    async (c) => {
      const app = await loadApp();
      const body = new Uint8Array(await c.req.arrayBuffer());
      const text = Buffer.from(body).toString('utf8');
      let parsed: unknown;
      let isJson = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        isJson = false;
      }
      const secret = app.config.http.webhookSecret;
      if (secret && !isSignedBySegment(body, parsed, c.req.header(SIGNATURE_HEADER), secret)) {
        return c.json(
          { error: 'missing or wrong X-Signature (the Webhooks destination shared secret)' },
          401,
        );
      }
      // Not JSON: the engine dead-letters the text ("not JSON"), and Segment is told not to retry.
      const outcome = await deliver(app, isJson ? parsed : text, deliveryOptions(c));
      if (outcome.kind === 'retry') return c.json({ error: 'transient failure: retry later' }, 503);
      if (!isJson) return c.json({ error: 'body is not JSON', report: outcome.report }, 400);
      return c.json(outcome.report, 200);
    },
  );

  routes.get('/t.gif', async (c) => {
    // Hono answers HEAD with the GET route. A HEAD is a link checker or a preview bot asking whether the
    // image exists, never someone opening a mail or a page: it gets the headers and records nothing.
    if (c.req.method === 'HEAD') return c.body(null, 200, { ...PIXEL_HEADERS });
    const app = await loadApp();
    const query: Record<string, string | undefined> = {};
    for (const name of PIXEL_PARAMETERS) query[name] = c.req.query(name);
    const message = pixelMessage({
      query,
      referer: c.req.header('referer'),
      userAgent: c.req.header('user-agent'),
      forwardedFor: c.req.header('x-forwarded-for'),
      receivedAt: app.pipeline.clock(),
    });
    // The image answers whatever happened: a browser or mail client neither retries nor shows an error;
    // bad input is dead-lettered by the engine and a failure is in the invocation log.
    await deliver(app, message, deliveryOptions(c));
    return c.body(PIXEL_GIF, 200, { ...PIXEL_HEADERS });
  });

  routes.use('/api/*', async (c, next) => {
    const { apiToken } = (await loadApp()).config.http;
    c.header('Cache-Control', 'no-store');
    if (apiToken === null) {
      if (options.loopback) return next();
      return c.json(
        { error: 'set TOUCHPOINT_API_TOKEN: without it the API answers only on a loopback bind' },
        403,
      );
    }
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    if (!given || !sameSecret(given, apiToken)) {
      c.header('WWW-Authenticate', 'Bearer realm="touchpoint"');
      return c.json({ error: 'Authorization: Bearer <TOUCHPOINT_API_TOKEN> required' }, 401);
    }
    return next();
  });

  const profileRoute = (prefix: 'user' | 'anon') => async (c: Context<{ Bindings: B }>) => {
    const app = await loadApp();
    const id = c.req.param('id') ?? '';
    const view = await viewProfile(app.pipeline.store, `${prefix}:${id}`, app.pipeline.settings);
    if (!view)
      return c.json({ error: `no profile for ${prefix === 'user' ? 'userId' : 'anonymousId'}` }, 404);
    return c.json(view, 200);
  };
  routes.get('/api/users/:id', profileRoute('user'));
  routes.get('/api/anonymous/:id', profileRoute('anon'));

  routes.get('/api/summary', async (c) => {
    const app = await loadApp();
    const asked = Number(c.req.query('profiles') ?? SUMMARY_PROFILES_DEFAULT);
    const limit = Number.isInteger(asked)
      ? Math.min(Math.max(asked, 1), SUMMARY_PROFILES_MAX)
      : SUMMARY_PROFILES_DEFAULT;
    return c.json(await summarise(app.pipeline.store, app.pipeline.settings, limit), 200);
  });

  let chartJs: string | undefined;
  routes.get('/', (c) => c.html(WEB_VIEW_HTML, 200, { ...WEB_VIEW_HEADERS, 'Cache-Control': 'no-cache' }));
  routes.get('/assets/app.js', (c) =>
    c.body(WEB_VIEW_SCRIPT, 200, {
      ...WEB_VIEW_HEADERS,
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
    }),
  );
  routes.get('/assets/chart.js', (c) =>
    c.body((chartJs ??= chartJsSource()), 200, {
      ...WEB_VIEW_HEADERS,
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
    }),
  );

  routes.notFound((c) => c.json({ error: 'not found' }, 404));
  // An app that cannot be built (a bad variable, SSM throttled) or a failing read: 500, so Segment
  // retries a webhook as it retries a failed Lambda invocation. The route pattern is logged, not the path
  // (it may hold an id).
  routes.onError((error, c) => {
    void loadApp()
      .then((app) =>
        app.pipeline.log.error('http_request_failed', {
          route: c.req.routePath,
          error: describeError(error),
        }),
      )
      .catch(() => undefined);
    return c.json({ error: 'internal error' }, 500);
  });
  return routes;
}
