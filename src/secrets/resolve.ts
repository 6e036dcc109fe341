import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ConfigurationError, knownFailureAction, RetryableError, toTouchpointError } from '../errors';
import { getSecureParameter, type SsmAccess } from './ssm-parameter';

/** Bounds on the one SSM call a cold start makes (inside Segment's 5 s budget, cold start included). */
export const SSM_REQUEST_TIMEOUT_MS = 1000;
export const SSM_MAX_ATTEMPTS = 2;

/**
 * The part of the configuration resolveSecrets reads and fills. Structural, so this adapter needs
 * nothing from src/config: the composition root hands it the whole Config and gets a Config back.
 */
export interface SecretSettings {
  readonly segment: { readonly writeKey: string | null; readonly writeKeyParameter: string | null };
  readonly aws: { readonly region: string | null; readonly ssmEndpoint: string | null };
}

/**
 * Fills `segment.writeKey` from the SSM SecureString parameter named by SEGMENT_WRITE_KEY_PARAMETER,
 * when that is set and SEGMENT_WRITE_KEY is not (an explicit key wins). Call once per container, where
 * the pipeline is built. Returns the config unchanged when there is nothing to resolve.
 * @throws ConfigurationError when the parameter is missing, empty or not readable by this role;
 *   RetryableError for throttling, 5xx and timeouts (Segment retries the event)
 */
export async function resolveSecrets<C extends SecretSettings>(config: C, access?: SsmAccess): Promise<C> {
  const name = config.segment.writeKeyParameter;
  if (!name || config.segment.writeKey) return config;
  const value = await readSecret(
    { name, variable: 'SEGMENT_WRITE_KEY_PARAMETER', what: 'the Segment write key' },
    config.aws,
    access,
  );
  return Object.freeze({ ...config, segment: Object.freeze({ ...config.segment, writeKey: value }) });
}

/** The part of the configuration resolveHttpSecrets reads and fills (structural, as SecretSettings). */
export interface HttpSecretSettings {
  readonly http: {
    readonly webhookSecret: string | null;
    readonly webhookSecretParameter: string | null;
    readonly apiToken: string | null;
    readonly apiTokenParameter: string | null;
  };
  readonly aws: SecretSettings['aws'];
}

/**
 * Fills `http.webhookSecret` and `http.apiToken` from the SSM SecureString parameters named by
 * TOUCHPOINT_WEBHOOK_SECRET_PARAMETER and TOUCHPOINT_API_TOKEN_PARAMETER, each only when its plain
 * variable is unset (an explicit value wins). Same reads, errors and retries as resolveSecrets.
 * @throws ConfigurationError when a parameter is missing, empty or not readable; RetryableError when SSM
 *   fails transiently
 */
export async function resolveHttpSecrets<C extends HttpSecretSettings>(
  config: C,
  access?: SsmAccess,
): Promise<C> {
  const { http } = config;
  const webhookSecret =
    http.webhookSecret ??
    (http.webhookSecretParameter
      ? await readSecret(
          {
            name: http.webhookSecretParameter,
            variable: 'TOUCHPOINT_WEBHOOK_SECRET_PARAMETER',
            what: 'the webhook secret',
          },
          config.aws,
          access,
        )
      : null);
  const apiToken =
    http.apiToken ??
    (http.apiTokenParameter
      ? await readSecret(
          { name: http.apiTokenParameter, variable: 'TOUCHPOINT_API_TOKEN_PARAMETER', what: 'the API token' },
          config.aws,
          access,
        )
      : null);
  if (webhookSecret === http.webhookSecret && apiToken === http.apiToken) return config;
  return Object.freeze({ ...config, http: Object.freeze({ ...http, webhookSecret, apiToken }) });
}

/** One SecureString, decrypted and trimmed, with the bounded retry of a cold start. */
async function readSecret(
  secret: { name: string; variable: string; what: string },
  aws: SecretSettings['aws'],
  access: SsmAccess | undefined,
): Promise<string> {
  const { name, variable } = secret;
  const region = access?.region ?? aws.region;
  if (!region) {
    throw new ConfigurationError(`${variable} is set but AWS_REGION is not: say where the parameter lives`);
  }
  const ssm: SsmAccess = access ?? {
    region,
    endpoint: aws.ssmEndpoint ?? `https://ssm.${region}.amazonaws.com`,
    credentials: defaultProvider(),
  };
  let value: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      value = (await getSecureParameter(name, ssm, SSM_REQUEST_TIMEOUT_MS))?.trim();
      break;
    } catch (error) {
      const mapped = mapSsmError(error, name, secret);
      if (!(mapped instanceof RetryableError) || attempt >= SSM_MAX_ATTEMPTS) throw mapped;
    }
  }
  if (!value) throw new ConfigurationError(`SSM parameter "${name}" (${variable}) is empty`);
  return value;
}

/**
 * Maps an SSM error to touchpoint's error family by the failure table (src/errors/failures.ts, service
 * `ssm`): transient failures become RetryableError, a missing parameter, key or permission
 * ConfigurationError naming the variable to check. Rejects and errors the table does not know are
 * returned as they are: they fail the cold start either way, under their own name.
 */
export function mapSsmError(
  error: unknown,
  name: string,
  secret: { variable: string; what: string } = {
    variable: 'SEGMENT_WRITE_KEY_PARAMETER',
    what: 'the Segment write key',
  },
): unknown {
  const action = knownFailureAction(error, 'ssm');
  if (action === undefined || action === 'reject') return error;
  return toTouchpointError(error, 'ssm', `reading ${secret.what} from SSM parameter "${name}"`, {
    configuration: `check ${secret.variable}, that it is a SecureString in this region, and that the role may ssm:GetParameter it`,
  });
}
