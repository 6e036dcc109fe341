import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ConfigurationError, RetryableError } from '../errors';
import type { Config } from './index';
import { getSecureParameter, type SsmAccess } from './ssm-parameter';

/** Bounds on the one SSM call a cold start makes (inside Segment's 5 s budget, cold start included). */
export const SSM_REQUEST_TIMEOUT_MS = 1000;
export const SSM_MAX_ATTEMPTS = 2;

/** What an SSM error means, keyed by exception name (or Node error code for network failures). */
export const SSM_ERROR_KINDS: Readonly<Record<string, 'retryable' | 'configuration'>> = Object.freeze({
  ThrottlingException: 'retryable',
  InternalServerError: 'retryable',
  ServiceUnavailable: 'retryable',
  TimeoutError: 'retryable',
  ECONNRESET: 'retryable',
  ECONNREFUSED: 'retryable',
  ETIMEDOUT: 'retryable',
  ParameterNotFound: 'configuration',
  ParameterVersionNotFound: 'configuration',
  AccessDeniedException: 'configuration',
  InvalidKeyId: 'configuration',
});

/**
 * Fills `segment.writeKey` from the SSM SecureString parameter named by SEGMENT_WRITE_KEY_PARAMETER,
 * when that is set and SEGMENT_WRITE_KEY is not (an explicit key wins). Call once per container, where
 * the pipeline is built. Returns the config unchanged when there is nothing to resolve.
 * @throws ConfigurationError when the parameter is missing, empty or not readable by this role;
 *   RetryableError for throttling, 5xx and timeouts (Segment retries the event)
 */
export async function resolveSecrets(config: Config, access?: SsmAccess): Promise<Config> {
  const name = config.segment.writeKeyParameter;
  if (!name || config.segment.writeKey) return config;
  const region = access?.region ?? config.aws.region;
  if (!region) {
    throw new ConfigurationError(
      'SEGMENT_WRITE_KEY_PARAMETER is set but AWS_REGION is not: say where the parameter lives',
    );
  }
  const ssm: SsmAccess = access ?? {
    region,
    endpoint: config.aws.ssmEndpoint ?? `https://ssm.${region}.amazonaws.com`,
    credentials: defaultProvider(),
  };
  let value: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      value = (await getSecureParameter(name, ssm, SSM_REQUEST_TIMEOUT_MS))?.trim();
      break;
    } catch (error) {
      const mapped = mapSsmError(error, name);
      if (!(mapped instanceof RetryableError) || attempt >= SSM_MAX_ATTEMPTS) throw mapped;
    }
  }
  if (!value) throw new ConfigurationError(`SSM parameter "${name}" (SEGMENT_WRITE_KEY_PARAMETER) is empty`);
  return Object.freeze({ ...config, segment: Object.freeze({ ...config.segment, writeKey: value }) });
}

/** Maps an SSM SDK error to touchpoint's error family (see SSM_ERROR_KINDS); other errors pass through. */
export function mapSsmError(error: unknown, name: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const kind = SSM_ERROR_KINDS[error.name] ?? (typeof code === 'string' ? SSM_ERROR_KINDS[code] : undefined);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (kind === 'retryable' || (kind === undefined && status !== undefined && status >= 500)) {
    return new RetryableError(`reading SSM parameter "${name}" failed transiently (${error.name})`, {
      cause: error,
    });
  }
  if (kind === 'configuration') {
    return new ConfigurationError(
      `cannot read the Segment write key from SSM parameter "${name}" (${error.name}): check SEGMENT_WRITE_KEY_PARAMETER, ` +
        'that it is a SecureString in this region, and that the role may ssm:GetParameter it',
      { cause: error },
    );
  }
  return error;
}
