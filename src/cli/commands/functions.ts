import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigurationError } from '../../errors';
import { DEFAULT_PUBLIC_API_HOST, deployFunctions, type FunctionDeployment } from '../../segment-api';
import {
  ATTRIBUTION_FUNCTION_NAME,
  ATTRIBUTION_SETTINGS,
  INSERT_FUNCTION_NAME,
  INSERT_SETTINGS,
} from '../../segment-functions';
import { UsageError } from '../args';
import { defineCommand } from '../types';

/** The scripts and what each becomes in the workspace; settings come from src/segment-functions. */
const SCRIPTS = [
  {
    file: 'touchpoint-insert.js',
    displayName: INSERT_FUNCTION_NAME,
    resourceType: 'INSERT_DESTINATION',
    description:
      'touchpoint: GA4-style traffic-source classification (channel, source, medium, campaign, click id) at context.touchpoint',
    settings: INSERT_SETTINGS,
  },
  {
    file: 'touchpoint-attribution.js',
    displayName: ATTRIBUTION_FUNCTION_NAME,
    resourceType: 'DESTINATION',
    description:
      'touchpoint: first-touch and last-non-direct-touch traits on Unify profiles (Profile API in, Tracking API out)',
    settings: ATTRIBUTION_SETTINGS,
  },
] as const;

/** The build script, found from the CLI's own place (dist/cli.js or src/cli/commands/ in tests). */
const BUILD_SCRIPT = join('scripts', 'build', 'segment-functions.mjs');

export const functionsCommand = defineCommand({
  name: 'functions',
  summary:
    'Segment Functions (no AWS): `build` the insert and attribution scripts, or `deploy` them to a workspace through the Public API',
  positionals: [
    {
      name: 'action',
      help: '`build` (bundle both scripts, print paths and sizes) or `deploy` (create or update both functions)',
    },
  ],
  flags: {
    token: {
      type: 'string',
      placeholder: 'token',
      help: 'deploy: a Segment Public API token with Functions write access',
    },
    workspace: {
      type: 'string',
      placeholder: 'name',
      help: 'deploy: the workspace name Segment appends to destination function names; default: read with the token',
    },
    'api-host': {
      type: 'string',
      placeholder: 'url',
      default: DEFAULT_PUBLIC_API_HOST,
      help: 'deploy: the Public API host (EU workspaces: https://eu1.api.segmentapis.com)',
    },
    dir: {
      type: 'string',
      placeholder: 'dir',
      default: 'dist/segment-functions',
      help: 'where `build` writes the scripts and `deploy` reads them',
    },
  },
  async run({ flags, args }, io) {
    if (args.action === 'build') {
      await runBuild(resolve(flags.dir));
      for (const script of SCRIPTS) {
        const path = join(flags.dir, script.file);
        const { size } = await stat(path);
        io.stdout.write(`${path}\t${size} bytes\t${script.resourceType}\t${script.displayName}\n`);
      }
      return 0;
    }
    if (args.action !== 'deploy')
      throw new UsageError(`<action> must be build or deploy, got "${args.action}"`);
    if (!flags.token) throw new UsageError('deploy needs --token (a Segment Public API token)');
    if (!/^https?:\/\/\S+$/.test(flags['api-host']))
      throw new UsageError(`--api-host must be an http(s) URL, got "${flags['api-host']}"`);
    const deployments: FunctionDeployment[] = [];
    for (const script of SCRIPTS) {
      const path = join(flags.dir, script.file);
      if (!existsSync(path))
        throw new ConfigurationError(`${path} does not exist: run \`touchpoint functions build\` first`);
      deployments.push({
        displayName: script.displayName,
        resourceType: script.resourceType,
        description: script.description,
        code: await readFile(path, 'utf8'),
        settings: script.settings,
      });
    }
    const results = await deployFunctions(deployments, {
      host: flags['api-host'],
      token: flags.token,
      workspace: flags.workspace,
      fetch: (url, init) => fetch(url, init),
    });
    for (const result of results) io.stdout.write(`${result.action} ${result.displayName} (${result.id})\n`);
    return 0;
  },
});

async function runBuild(dir: string): Promise<void> {
  const root = packageRoot();
  await promisify(execFile)(process.execPath, [join(root, BUILD_SCRIPT), dir], { cwd: root });
}

function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, BUILD_SCRIPT))) return dir;
    if (dirname(dir) === dir)
      throw new ConfigurationError(
        `${BUILD_SCRIPT} not found above ${__dirname}: build from a touchpoint checkout (npm ci)`,
      );
  }
}
