import { ConfigurationError, RetryableError, ValidationError } from '../errors';

/**
 * The slice of `fetch` the Segment clients use: what Node's fetch and the Functions runtime's
 * node-fetch 2 both provide, so one client runs in both (and tests inject a recording one).
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>;

/** What a request is for, for the error messages: the API, and the settings that could be at fault. */
export interface CallPurpose {
  api: string;
  /** named in a 401/403 error: the credential (and ids) the user must check */
  credentials: string;
}

/**
 * One HTTP call mapped onto the error family: network failure, 429 and 5xx retry; 401/403 name the
 * credential setting to fix; other 4xx are refused for good. Returns the status and body text otherwise.
 */
export async function callSegment(
  fetchImpl: FetchLike,
  url: string,
  init: Parameters<FetchLike>[1],
  purpose: CallPurpose,
  acceptStatuses: readonly number[] = [],
): Promise<{ status: number; body: string }> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new RetryableError(`${purpose.api}: no answer (${describe(error)})`, {
      cause: error,
      service: 'segment',
    });
  }
  const body = await response.text().catch(() => '');
  const { status } = response;
  if ((status >= 200 && status < 300) || acceptStatuses.includes(status)) return { status, body };
  const detail = `${purpose.api} answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 429 || status >= 500) throw new RetryableError(detail, { service: 'segment' });
  if (status === 401 || status === 403)
    throw new ConfigurationError(`${detail} (check ${purpose.credentials})`, { service: 'segment' });
  throw new ValidationError(detail, { service: 'segment' });
}

/** HTTP Basic auth with `user` and an empty password, as the Profile and Tracking APIs take it. */
export function basicAuth(user: string): string {
  return `Basic ${btoa(`${user}:`)}`;
}

/** JSON text parsed, or a ValidationError naming the API (a proxy's HTML error page, say). */
export function jsonOf(body: string, api: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new RetryableError(`${api}: answered with something that is not JSON: ${body.slice(0, 100)}`, {
      service: 'segment',
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
