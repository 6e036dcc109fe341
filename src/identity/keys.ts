/**
 * Identity keys. anonymousIds and userIds live in different namespaces (an anonymousId may equal some
 * other user's userId), so every stored id carries its kind: `anon:<id>` or `user:<id>`.
 */

export type IdentityKey = `anon:${string}` | `user:${string}`;

export const anonKey = (anonymousId: string): IdentityKey => `anon:${anonymousId}`;
export const userKey = (userId: string): IdentityKey => `user:${userId}`;

export function isUserKey(key: string): key is `user:${string}` {
  return key.startsWith('user:');
}

/** The raw Segment id behind a key. */
export function rawId(key: IdentityKey): string {
  return key.slice(5);
}

/** Parses a key, or a bare id given on the command line (tried as a userId first by the caller). */
export function parseIdentityKey(value: string): IdentityKey | null {
  return value.startsWith('anon:') || value.startsWith('user:') ? (value as IdentityKey) : null;
}

/**
 * The identity that owns an event's touches and activity: the device (anonymousId) when there is one,
 * else the userId. Sessions are per device, so this is also the key sessions are measured on.
 */
export function ownerKey(ids: {
  anonymousId?: string | undefined;
  userId?: string | undefined;
}): IdentityKey {
  if (ids.anonymousId) return anonKey(ids.anonymousId);
  if (ids.userId) return userKey(ids.userId);
  throw new Error('message has neither anonymousId nor userId (rejected by the schema)');
}
