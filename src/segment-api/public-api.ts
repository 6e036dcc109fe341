import { ConfigurationError } from '../errors';
import { callSegment, jsonOf, type FetchLike } from './http';

/** Segment's Public API host; EU workspaces use `https://eu1.api.segmentapis.com`. */
export const DEFAULT_PUBLIC_API_HOST = 'https://api.segmentapis.com';
/** Functions listed per page while looking for an existing one (the Public API's maximum is 200). */
const PAGE_SIZE = 200;

/** A function as `touchpoint functions deploy` wants it to exist in the workspace. */
export interface FunctionDeployment {
  displayName: string;
  resourceType: 'DESTINATION' | 'INSERT_DESTINATION';
  description: string;
  code: string;
  settings: ReadonlyArray<{
    name: string;
    label: string;
    type: string;
    description: string;
    required: boolean;
    sensitive: boolean;
  }>;
}

/** What deploying one function did. */
export interface DeployResult {
  displayName: string;
  id: string;
  action: 'created' | 'updated';
}

export interface PublicApiOptions {
  host: string;
  /** a Public API token with Functions write access (Bearer) */
  token: string;
  /**
   * the workspace's name; Segment appends ` (<workspace name>)` to destination functions' display
   * names. Unset: read from the token's workspace (`GET /`).
   */
  workspace?: string | undefined;
  fetch: FetchLike;
}

/**
 * Creates or updates each function through Segment's Public API, idempotently by display name: an
 * existing function of the same type and name (with or without Segment's ` (<workspace>)` suffix) is
 * updated with `PATCH /functions/<id>`, else one is created with `POST /functions`. Two existing
 * functions with the name are refused rather than guessed between, before anything is written.
 */
export async function deployFunctions(
  deployments: readonly FunctionDeployment[],
  options: PublicApiOptions,
): Promise<DeployResult[]> {
  const api = publicApi(options);
  const workspace = options.workspace ?? (await api.workspaceName());
  // every lookup before any write: an ambiguous name refuses the deploy before anything changed
  const plans: Array<{ deployment: FunctionDeployment; existingId: string | null }> = [];
  for (const deployment of deployments) {
    const names = new Set([deployment.displayName, `${deployment.displayName} (${workspace})`]);
    const existing = (await api.listFunctions(deployment.resourceType)).filter((item) =>
      names.has(item.displayName),
    );
    if (existing.length > 1)
      throw new ConfigurationError(
        `${existing.length} ${deployment.resourceType} functions are named "${deployment.displayName}" (${existing
          .map((item) => item.id)
          .join(', ')}): delete or rename all but one, then deploy again`,
      );
    plans.push({ deployment, existingId: existing[0]?.id ?? null });
  }
  const results: DeployResult[] = [];
  for (const { deployment, existingId } of plans) {
    const fields = {
      code: deployment.code,
      displayName: deployment.displayName,
      description: deployment.description,
      settings: deployment.settings,
    };
    if (existingId !== null) {
      await api.request('PATCH', `/functions/${encodeURIComponent(existingId)}`, fields);
      results.push({ displayName: deployment.displayName, id: existingId, action: 'updated' });
    } else {
      const created = await api.request('POST', '/functions', {
        ...fields,
        resourceType: deployment.resourceType,
      });
      results.push({ displayName: deployment.displayName, id: functionIdOf(created), action: 'created' });
    }
  }
  return results;
}

function publicApi(options: PublicApiOptions) {
  const host = options.host.replace(/\/+$/, '');
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const answer = await callSegment(
      options.fetch,
      `${host}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      { api: 'Segment Public API', credentials: '--token (a Public API token with Functions access)' },
    );
    return jsonOf(answer.body, 'Segment Public API');
  };
  return {
    request,
    async workspaceName(): Promise<string> {
      const name = field(field(field(await request('GET', '/'), 'data'), 'workspace'), 'name');
      if (typeof name !== 'string')
        throw new ConfigurationError('Segment Public API: GET / named no workspace; pass --workspace');
      return name;
    },
    async listFunctions(resourceType: string): Promise<Array<{ id: string; displayName: string }>> {
      const found: Array<{ id: string; displayName: string }> = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ resourceType, 'pagination[count]': String(PAGE_SIZE) });
        if (cursor) query.set('pagination[cursor]', cursor);
        const data = field(await request('GET', `/functions?${query.toString()}`), 'data');
        const functions = field(data, 'functions');
        for (const item of Array.isArray(functions) ? functions : []) {
          const id = field(item, 'id');
          const displayName = field(item, 'displayName');
          if (typeof id === 'string' && typeof displayName === 'string') found.push({ id, displayName });
        }
        const next = field(field(data, 'pagination'), 'next');
        cursor = typeof next === 'string' && next !== '' ? next : null;
      } while (cursor !== null);
      return found;
    },
  };
}

function functionIdOf(created: unknown): string {
  const id = field(field(field(created, 'data'), 'function'), 'id');
  if (typeof id !== 'string')
    throw new ConfigurationError('Segment Public API: the created function has no id in the answer');
  return id;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
