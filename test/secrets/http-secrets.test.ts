import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { ConfigurationError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { resolveHttpSecrets, type SsmAccess } from '../../src/secrets';
import { MemoryStore } from '../../src/store';
import { FakeSsm } from '../support/ssm-server';

const PARAMETERS = {
  TOUCHPOINT_WEBHOOK_SECRET_PARAMETER: '/touchpoint/webhook-secret',
  TOUCHPOINT_API_TOKEN_PARAMETER: '/touchpoint/api-token',
};

describe('resolveHttpSecrets (the HTTP doors: webhook secret and API token from SSM)', () => {
  const ssm = new FakeSsm();
  let client: SsmAccess;

  beforeAll(async () => {
    const endpoint = await ssm.start();
    client = {
      endpoint,
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    };
    ssm.respond = (body) => ({
      status: 200,
      body: { Parameter: { Name: body.Name, Value: `value-of-${String(body.Name)}` } },
    });
  });

  afterAll(async () => {
    await ssm.stop();
  });

  beforeEach(() => {
    ssm.requests.length = 0;
  });

  it('reads both from their SecureString parameters when the plain variables are unset', async () => {
    // Act
    const resolved = await resolveHttpSecrets(loadConfig(PARAMETERS), client);

    // Assess
    expect(resolved.http).toMatchObject({
      webhookSecret: 'value-of-/touchpoint/webhook-secret',
      apiToken: 'value-of-/touchpoint/api-token',
    });
    expect(Object.isFrozen(resolved.http)).toBe(true);
    expect(ssm.requests.map((request) => request.body)).toEqual([
      { Name: '/touchpoint/webhook-secret', WithDecryption: true },
      { Name: '/touchpoint/api-token', WithDecryption: true },
    ]);
  });

  it('asks nothing for a value set in plain, and names the variable of a missing region', async () => {
    // Prepare
    const explicit = loadConfig({ ...PARAMETERS, TOUCHPOINT_WEBHOOK_SECRET: 's', TOUCHPOINT_API_TOKEN: 't' });

    // Act and assess
    expect(await resolveHttpSecrets(explicit, client)).toBe(explicit);
    expect(ssm.requests).toHaveLength(0);
    await expect(resolveHttpSecrets(loadConfig({ TOUCHPOINT_API_TOKEN_PARAMETER: '/p' }))).rejects.toThrow(
      new ConfigurationError(
        'TOUCHPOINT_API_TOKEN_PARAMETER is set but AWS_REGION is not: say where the parameter lives',
      ),
    );
  });

  it('is applied by the composition root, so the HTTP Lambda gets both from the environment the template sets', async () => {
    // Act
    const app = await createApp(
      { TOUCHPOINT_STORE: 'memory', TOUCHPOINT_LOG_LEVEL: 'silent', ...PARAMETERS },
      { ssm: client, store: new MemoryStore(), log: silentLogger },
    );

    // Assess
    expect(app.config.http.webhookSecret).toBe('value-of-/touchpoint/webhook-secret');
    expect(app.config.http.apiToken).toBe('value-of-/touchpoint/api-token');
    await app.close();
  });
});
