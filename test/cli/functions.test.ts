import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTRIBUTION_SETTINGS, INSERT_SETTINGS } from '../../src/segment-functions';
import { runTouchpoint } from '../support/cli';
import { FakePublicApi } from '../support/public-api-server';
import { loadFunctionScript } from '../support/segment-functions-runtime';

describe('touchpoint functions deploy', () => {
  const api = new FakePublicApi();
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-functions-deploy-'));
  let host: string;

  beforeAll(async () => {
    host = await api.start();
  });

  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const writeScripts = (version: string) => {
    writeFileSync(join(dir, 'touchpoint-insert.js'), `// insert ${version}`);
    writeFileSync(join(dir, 'touchpoint-attribution.js'), `// attribution ${version}`);
  };
  const deploy = (...extra: string[]) =>
    runTouchpoint(['functions', 'deploy', '--token', api.token, '--api-host', host, '--dir', dir, ...extra]);

  it('creates both functions, then updates them on the next deploy, never duplicating them', async () => {
    // Prepare: someone else's function shares the page, and pages are small, so paging is exercised
    api.functions.push({
      id: 'other',
      displayName: 'Other (Acme Shop)',
      resourceType: 'DESTINATION',
      code: '',
    });
    api.pageSize = 1;
    writeScripts('v1');

    // Act
    const first = await deploy();
    writeScripts('v2');
    const second = await deploy();

    // Assess
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      /^created touchpoint traffic source \(fn1\)\ncreated touchpoint attribution \(fn2\)\n$/,
    );
    expect(second.stdout).toMatch(
      /^updated touchpoint traffic source \(fn1\)\nupdated touchpoint attribution \(fn2\)\n$/,
    );
    expect(api.functions.map((item) => [item.id, item.displayName, item.resourceType, item.code])).toEqual([
      ['other', 'Other (Acme Shop)', 'DESTINATION', ''],
      ['fn1', 'touchpoint traffic source', 'INSERT_DESTINATION', '// insert v2'],
      ['fn2', 'touchpoint attribution (Acme Shop)', 'DESTINATION', '// attribution v2'],
    ]);
    const writes = api.requests.filter((request) => request.method !== 'GET');
    expect(writes.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /functions',
      'POST /functions',
      'PATCH /functions/fn1',
      'PATCH /functions/fn2',
    ]);
    expect(writes[1]!.body).toMatchObject({
      displayName: 'touchpoint attribution',
      resourceType: 'DESTINATION',
      settings: ATTRIBUTION_SETTINGS,
    });
    expect(writes[2]!.body).toMatchObject({ code: '// insert v2', settings: INSERT_SETTINGS });
    expect(writes[2]!.body).not.toHaveProperty('resourceType');
    expect(api.requests.some((request) => request.path.includes('pagination%5Bcursor%5D=1'))).toBe(true);
    expect(api.requests.every((request) => request.authorization === `Bearer ${api.token}`)).toBe(true);
  });

  it('matches by --workspace without asking for it, and says which setting to fix on 401', async () => {
    writeScripts('v3');
    api.requests.length = 0;

    const named = await deploy('--workspace', 'Acme Shop');
    const askedForWorkspace = api.requests.some((request) => request.path === '/');
    const refused = await runTouchpoint([
      'functions',
      'deploy',
      '--token',
      'wrong',
      '--api-host',
      host,
      '--dir',
      dir,
    ]);

    expect(named.stdout).toContain('updated touchpoint attribution (fn2)');
    expect(askedForWorkspace).toBe(false);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401.*--token/);
  });

  it('refuses to guess between two existing functions of one name, and changes neither', async () => {
    api.functions.push({
      id: 'copy',
      displayName: 'touchpoint attribution',
      resourceType: 'DESTINATION',
      code: '// a hand-made copy',
    });
    api.requests.length = 0;

    const { code, stderr } = await deploy();

    expect(code).toBe(1);
    expect(stderr).toMatch(/2 DESTINATION functions are named "touchpoint attribution" \(fn2, copy\)/);
    expect(api.requests.filter((request) => request.path.startsWith('/functions/'))).toEqual([]);
    expect(api.functions.find((item) => item.id === 'copy')?.code).toBe('// a hand-made copy');
    api.functions.splice(
      api.functions.findIndex((item) => item.id === 'copy'),
      1,
    );
  });

  it('refuses deploy without a token, and an unknown action, before any request (exit 2)', async () => {
    api.requests.length = 0;

    const noToken = await runTouchpoint(['functions', 'deploy', '--api-host', host, '--dir', dir]);
    const unknown = await runTouchpoint(['functions', 'publish']);

    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--token/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/build or deploy/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('touchpoint functions build', () => {
  it('builds both scripts into --dir and prints their paths and sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'touchpoint-functions-build-'));
    try {
      const { code, stdout } = await runTouchpoint(['functions', 'build', '--dir', dir]);

      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const [index, file] of ['touchpoint-insert.js', 'touchpoint-attribution.js'].entries()) {
        const path = join(dir, file);
        expect(lines[index]).toContain(`${path}\t${statSync(path).size} bytes`);
        expect(loadFunctionScript(readFileSync(path, 'utf8')).handlers).toContain('onBatch');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
