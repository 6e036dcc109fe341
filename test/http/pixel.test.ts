import type { App } from '../../src/app';
import type { HttpServer } from '../../src/http';
import { serveOnLoopback, testApp } from './support';

/** The 43-byte transparent GIF89a, as the well-known base64 spells it. */
const TRANSPARENT_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';

describe('GET /t.gif (the tracking pixel)', () => {
  let app: App;
  let server: HttpServer;

  beforeEach(async () => {
    app = await testApp();
    server = await serveOnLoopback(app);
  });

  afterEach(async () => {
    await server.close();
    await app.close();
  });

  const pixel = async (query: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/t.gif?${new URLSearchParams(query).toString()}`, { headers });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  it('answers the exact 43-byte transparent GIF, uncached, and records an email open with its UTMs in the profile', async () => {
    // Prepare: the <img> of an email, with the campaign's landing URL
    const landing =
      'https://shop.example.com/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale';

    // Act
    const { response, bytes } = await pixel({
      userId: 'reader-1',
      event: 'Email Opened',
      url: landing,
      messageId: 'open-reader-1-spring',
    });
    const profile = await fetch(`${server.url}/api/users/reader-1`);

    // Assess
    expect(response.status).toBe(200);
    expect(bytes.toString('base64')).toBe(TRANSPARENT_GIF);
    expect(bytes).toHaveLength(43);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('content-length')).toBe('43');
    const view = (await profile.json()) as {
      touches: Array<Record<string, unknown>>;
      traits: Record<string, unknown>;
    };
    expect(view.touches).toEqual([
      expect.objectContaining({
        messageId: 'open-reader-1-spring',
        channel: 'Email',
        source: 'newsletter',
        medium: 'email',
        campaign: 'spring_sale',
        landing_page: expect.stringContaining('shop.example.com/spring'),
      }),
    ]);
    expect(view.traits).toMatchObject({ first_touch_channel: 'Email', last_touch_campaign: 'spring_sale' });
  });

  it('answers HEAD (a link checker, a preview bot) with the headers and records no touch', async () => {
    // Act
    const head = await fetch(
      `${server.url}/t.gif?anonymousId=checked&messageId=head-1&utm_source=newsletter`,
      {
        method: 'HEAD',
      },
    );
    const { bytes } = await pixel({ anonymousId: 'opened', messageId: 'get-1', utm_source: 'newsletter' });

    // Assess: the GET beside it is recorded, so the HEAD's absence is not a store that records nothing
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/gif');
    expect(head.headers.get('cache-control')).toContain('no-store');
    expect(bytes).toHaveLength(43);
    expect(await app.pipeline.store.getMessage('head-1')).toBeNull();
    expect(await app.pipeline.store.touchesOf(['anon:checked'])).toEqual([]);
    expect(await app.pipeline.store.touchesOf(['anon:opened'])).toHaveLength(1);
  });

  it('counts a reloaded image with the same messageId once, and takes the page from the Referer header', async () => {
    // Act
    await pixel(
      { anonymousId: 'partner-visitor', messageId: 'view-1' },
      { Referer: 'https://partner.example.org/?utm_source=partner&utm_medium=affiliate' },
    );
    await pixel(
      { anonymousId: 'partner-visitor', messageId: 'view-1' },
      { Referer: 'https://partner.example.org/?utm_source=partner&utm_medium=affiliate' },
    );

    // Assess
    const touches = await app.pipeline.store.touchesOf(['anon:partner-visitor']);
    expect(touches).toEqual([expect.objectContaining({ channel: 'Affiliates', source: 'partner' })]);
  });

  it('still answers the GIF for bad input, and dead-letters it with the user agent and the first forwarded address', async () => {
    // Act: no anonymousId and no userId
    const { response, bytes } = await pixel(
      { url: 'https://shop.example.com/', messageId: 'no-ids' },
      { 'User-Agent': 'MailClient/1.0', 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(bytes.toString('base64')).toBe(TRANSPARENT_GIF);
    const [letter] = await app.pipeline.store.listDeadLetters(1);
    expect(letter).toMatchObject({
      messageId: 'no-ids',
      reason: expect.stringMatching(/userId|anonymousId/),
      payload: expect.objectContaining({
        type: 'page',
        context: expect.objectContaining({ userAgent: 'MailClient/1.0', ip: '203.0.113.7' }),
      }),
    });
  });
});
