import type { Traits, TraitValue } from '../attribution';
import { basicAuth, callSegment, jsonOf, type FetchLike } from './http';

/** The Profile API answers at most this many traits per call unless asked for more (its default is 10). */
const TRAIT_LIMIT = 200;

/** Where and as whom to read profiles. */
export interface ProfileReaderOptions {
  /** `https://profiles.segment.com`, or `https://profiles.euw1.segment.com` for EU workspaces */
  host: string;
  spaceId: string;
  /** the space's Profile API access token (Basic auth user, empty password) */
  token: string;
  fetch: FetchLike;
}

/**
 * Reads a profile's named traits from Segment's Profile API
 * (`GET /v1/spaces/<space>/collections/users/profiles/<external id>/traits?include=...`). A 404 is a
 * profile Unify does not know yet (null); 429 and 5xx retry; 401/403 name the token and space settings.
 */
export function createProfileReader(options: ProfileReaderOptions) {
  const base = `${options.host}/v1/spaces/${encodeURIComponent(options.spaceId)}/collections/users/profiles`;
  return async function readTraits(externalId: string, names: readonly string[]): Promise<Traits | null> {
    const query = new URLSearchParams({ include: names.join(','), limit: String(TRAIT_LIMIT) });
    const { status, body } = await callSegment(
      options.fetch,
      `${base}/${encodeURIComponent(externalId)}/traits?${query.toString()}`,
      { method: 'GET', headers: { authorization: basicAuth(options.token), accept: 'application/json' } },
      { api: 'Profile API', credentials: 'the profileApiToken and spaceId settings' },
      [404],
    );
    if (status === 404) return null;
    const parsed = jsonOf(body, 'Profile API');
    const traits =
      typeof parsed === 'object' && parsed !== null && 'traits' in parsed ? parsed.traits : undefined;
    const result: Traits = {};
    if (typeof traits !== 'object' || traits === null) return result;
    for (const [name, value] of Object.entries(traits)) {
      if (names.includes(name)) result[name] = flatValue(value);
    }
    return result;
  };
}

/** Touch traits are flat; anything else read back is not ours and counts as absent. */
function flatValue(value: unknown): TraitValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
