import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The header the Segment Webhooks destination signs with (hex HMAC-SHA1 under the shared secret). */
export const SIGNATURE_HEADER = 'x-signature';

/**
 * True when `signature` is the hex HMAC-SHA1 Segment computes under `secret` for this request: over the
 * raw body (Webhooks classic, and Webhooks (Actions) with one event), or, for an Actions batch (a JSON
 * array), over the JSON of its first element, which is what Segment signs when batching is on
 * (segmentio/action-destinations webhook `extendRequest` and its "request signing with batched events"
 * test). Compared in constant time.
 */
export function isSignedBySegment(
  body: Uint8Array,
  parsed: unknown,
  signature: string | undefined,
  secret: string,
): boolean {
  if (!signature || !/^[0-9a-f]{40}$/i.test(signature.trim())) return false;
  const given = Buffer.from(signature.trim().toLowerCase(), 'hex');
  const candidates = [hmac(secret, body)];
  if (Array.isArray(parsed) && parsed.length > 0) {
    candidates.push(hmac(secret, Buffer.from(JSON.stringify(parsed[0]), 'utf8')));
  }
  // Every candidate is compared, so the time taken does not say which one came close.
  return candidates.map((expected) => timingSafeEqual(expected, given)).includes(true);
}

/** The hex HMAC-SHA1 of `body` under `secret`, as the Webhooks destination sends it in X-Signature. */
export function segmentSignature(secret: string, body: string | Uint8Array): string {
  return hmac(secret, typeof body === 'string' ? Buffer.from(body, 'utf8') : body).toString('hex');
}

/** True when `given` is `expected`, in time that does not depend on where they differ (or their length). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function hmac(secret: string, body: Uint8Array): Buffer {
  return createHmac('sha1', secret).update(body).digest();
}
