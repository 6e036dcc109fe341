import { loadConfig } from '../../src/config';
import { ConfigurationError, failureTable, RetryableError } from '../../src/errors';
import { mapSsmError, resolveSecrets, type SsmAccess } from '../../src/secrets';
import { FakeSsm } from '../support/ssm-server';

describe('resolveSecrets', () => {
  const ssm = new FakeSsm();
  let client: SsmAccess;

  beforeAll(async () => {
    const endpoint = await ssm.start();
    client = {
      endpoint,
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    };
  });

  afterAll(async () => {
    await ssm.stop();
  });

  beforeEach(() => {
    ssm.requests.length = 0;
  });

  it('reads the write key from the SecureString parameter, decrypted', async () => {
    const config = loadConfig({ SEGMENT_WRITE_KEY_PARAMETER: '/touchpoint/segment-write-key' });

    const resolved = await resolveSecrets(config, client);

    expect(resolved.segment.writeKey).toBe('wk-from-ssm');
    expect(Object.isFrozen(resolved.segment)).toBe(true);
    expect(config.segment.writeKey).toBeNull();
    expect(ssm.requests).toEqual([
      {
        target: 'AmazonSSM.GetParameter',
        body: { Name: '/touchpoint/segment-write-key', WithDecryption: true },
      },
    ]);
  });

  it('signs the request with SigV4 for the ssm service in the configured region', async () => {
    await resolveSecrets(loadConfig({ SEGMENT_WRITE_KEY_PARAMETER: '/p' }), client);

    expect(ssm.authorizations.at(-1)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=\S*x-amz-target\S*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('says what is missing when no region is configured', async () => {
    await expect(resolveSecrets(loadConfig({ SEGMENT_WRITE_KEY_PARAMETER: '/p' }))).rejects.toThrow(
      /AWS_REGION/,
    );
  });

  it('asks nothing when an explicit write key is set or no parameter is named', async () => {
    const explicit = loadConfig({ SEGMENT_WRITE_KEY: 'wk', SEGMENT_WRITE_KEY_PARAMETER: '/p' });
    const none = loadConfig({});

    expect(await resolveSecrets(explicit, client)).toBe(explicit);
    expect(await resolveSecrets(none, client)).toBe(none);
    expect(ssm.requests).toHaveLength(0);
  });

  it('says which parameter is missing', async () => {
    ssm.respond = () => ({
      status: 400,
      type: 'ParameterNotFound',
      body: { __type: 'ParameterNotFound', message: 'nope' },
    });

    const failure = resolveSecrets(loadConfig({ SEGMENT_WRITE_KEY_PARAMETER: '/missing' }), client);

    await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
    await expect(failure).rejects.toThrow(/"\/missing".*SEGMENT_WRITE_KEY_PARAMETER/);
  });

  it('asks for a retry when SSM throttles', async () => {
    ssm.respond = () => ({
      status: 400,
      type: 'ThrottlingException',
      body: { __type: 'ThrottlingException', message: 'slow down' },
    });

    await expect(
      resolveSecrets(loadConfig({ SEGMENT_WRITE_KEY_PARAMETER: '/p' }), client),
    ).rejects.toBeInstanceOf(RetryableError);
  });

  // Rejects are left as thrown (see mapSsmError); every other name row maps to the family.
  const rows = Object.entries(failureTable('ssm').names).filter(([, action]) => action !== 'reject');

  it.each(rows)('maps %s to %s', (name, kind) => {
    const mapped = mapSsmError(Object.assign(new Error('x'), { name }), '/p');
    expect(mapped).toBeInstanceOf(kind === 'retry' ? RetryableError : ConfigurationError);
  });
});
