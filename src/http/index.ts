/**
 * The HTTP doors (Segment webhook, tracking pixel, profile API, web view): one routing table, served by
 * `touchpoint serve` (./server.ts) and by the HTTP Lambda (functions/http.ts).
 */
export { createHttpRoutes, type HttpDoorOptions } from './routes';
export { isLoopbackHost, startHttpServer, type HttpServer } from './server';
export { PIXEL_GIF, PIXEL_PARAMETERS } from './pixel';
export { segmentSignature } from './signature';
export { summarise, type Summary } from './summary';
