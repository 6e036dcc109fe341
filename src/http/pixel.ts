import { randomUUID } from 'node:crypto';

/**
 * The 43-byte transparent 1x1 GIF89a every `GET /t.gif` answers: header, a 1x1 screen with a two-colour
 * table, a graphic control extension marking colour 0 transparent, one image, trailer.
 */
export const PIXEL_GIF: Uint8Array<ArrayBuffer> = Uint8Array.from(
  Buffer.from(
    '474946383961010001008000000000' + '00ffffff' + '21f90401000000002c000000000100010000020244' + '01003b',
    'hex',
  ),
);

/** Response headers of the pixel: an image nobody caches, so every open or view reaches the server. */
export const PIXEL_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'image/gif',
  'Cache-Control': 'no-store, max-age=0',
  'Content-Length': String(PIXEL_GIF.length),
};

/**
 * The query parameters `GET /t.gif` reads (the README documents them): the page (`url`, else the
 * request's Referer header), its `referrer`, the visitor (`anonymousId` and/or `userId`), an optional
 * `event` name (a `track` instead of a `page`) and a client `messageId` (so a reloaded image counts once).
 */
export const PIXEL_PARAMETERS = ['url', 'referrer', 'anonymousId', 'userId', 'event', 'messageId'] as const;

/** What one pixel request carries, as the HTTP layer reads it. */
export interface PixelRequest {
  query: Readonly<Record<string, string | undefined>>;
  /** the Referer header: the page that embeds the image, when `url` is not given */
  referer: string | undefined;
  userAgent: string | undefined;
  /** the X-Forwarded-For header; its first address is the client's */
  forwardedFor: string | undefined;
  receivedAt: Date;
}

/**
 * The Segment message a pixel request stands for: a `page` (or a `track` named by `event`) with
 * `context.page`, the user agent and the client address, timestamped on arrival. Missing ids are left
 * missing: the engine dead-letters such a message with its reason, as it does any invalid input.
 */
export function pixelMessage(request: PixelRequest): Record<string, unknown> {
  const value = (name: (typeof PIXEL_PARAMETERS)[number]) => {
    const text = request.query[name]?.trim();
    return text ? text : undefined;
  };
  const url = value('url') ?? request.referer?.trim() ?? '';
  const referrer = value('referrer') ?? '';
  const event = value('event');
  const ip = request.forwardedFor?.split(',')[0]?.trim();
  const at = request.receivedAt.toISOString();
  return {
    type: event ? 'track' : 'page',
    ...(event ? { event } : {}),
    messageId: value('messageId') ?? `pixel-${randomUUID()}`,
    ...(value('anonymousId') ? { anonymousId: value('anonymousId') } : {}),
    ...(value('userId') ? { userId: value('userId') } : {}),
    timestamp: at,
    receivedAt: at,
    context: {
      page: { url, referrer },
      ...(request.userAgent ? { userAgent: request.userAgent } : {}),
      ...(ip ? { ip } : {}),
      library: { name: 'touchpoint-pixel' },
    },
    properties: event ? {} : { url, referrer },
  };
}
