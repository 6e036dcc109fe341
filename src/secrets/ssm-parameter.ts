import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, SourceData } from '@smithy/types';

/**
 * Reads one SSM parameter with a SigV4-signed `GetParameter` call (AWS JSON 1.1 protocol). This replaces
 * `@aws-sdk/client-ssm`, whose generated models for ~150 operations added 174 KB to the Lambda bundle
 * for a single call made once per container.
 */
export interface SsmAccess {
  /** e.g. https://ssm.eu-west-1.amazonaws.com (AWS_ENDPOINT_URL_SSM overrides it) */
  endpoint: string;
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
}

/** An SSM failure, named like the SDK names it (`ParameterNotFound`, `ThrottlingException`, `TimeoutError`). */
export class SsmError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly $metadata: { httpStatusCode?: number } = {},
  ) {
    super(message);
  }
}

/** GetParameter with decryption; returns the value, or undefined when the parameter has none. */
export async function getSecureParameter(
  name: string,
  access: SsmAccess,
  timeoutMs: number,
): Promise<string | undefined> {
  const url = new URL(access.endpoint);
  const body = JSON.stringify({ Name: name, WithDecryption: true });
  const signer = new SignatureV4({
    credentials: access.credentials,
    region: access.region,
    service: 'ssm',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameter',
    },
    body,
  });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new SsmError(timedOut ? 'TimeoutError' : 'NetworkError', `SSM did not answer: ${String(error)}`);
  }
  const text = await response.text();
  const parsed = safeJson(text);
  if (!response.ok) {
    const type =
      response.headers.get('x-amzn-errortype') ?? stringField(parsed, '__type') ?? `Http${response.status}`;
    // Error types come as `ParameterNotFound`, `com.amazonaws.ssm#ParameterNotFound` or `X:http://...`.
    const errorName = (type.split('#').pop() ?? type).split(':')[0] as string;
    throw new SsmError(
      errorName,
      stringField(parsed, 'message') ?? stringField(parsed, 'Message') ?? response.statusText,
      {
        httpStatusCode: response.status,
      },
    );
  }
  const parameter = (parsed as { Parameter?: { Value?: unknown } } | null)?.Parameter;
  return typeof parameter?.Value === 'string' ? parameter.Value : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  const field = (value as Record<string, unknown> | null)?.[key];
  return typeof field === 'string' ? field : undefined;
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape @smithy/signature-v4 expects. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
