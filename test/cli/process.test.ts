import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const NOTICE = 'NodeVersionSupportWarning';

/** Runs src/cli/entry.ts as its own process (through tsx), as `touchpoint` runs: real stdout, stderr and warnings. */
async function runProcess(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/entry.ts'), ...argv], {
    cwd: ROOT,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('touchpoint as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-process-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** No AWS settings from the machine running the tests, and no TOUCHPOINT_LOG_LEVEL. */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    TOUCHPOINT_STORE: 'dynamodb:touchpoint-test',
  };

  it("prints no AWS SDK Node-version notice, only the command's one-line error", async () => {
    const { code, stdout, stderr } = await runProcess(['setup'], env);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).not.toContain(NOTICE);
    expect(stderr).toBe(
      'touchpoint setup: no AWS region: set AWS_REGION (or give the AWS_PROFILE a region in ~/.aws/config)\n',
    );
  });

  it('leaves the notice on when the user asks for it (the SDK prints it on Node < 22)', async () => {
    const { stderr } = await runProcess(['setup'], {
      ...env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false',
    });

    const major = Number(process.versions.node.split('.')[0]);
    if (major < 22) expect(stderr).toContain(NOTICE);
    else expect(stderr).not.toContain(NOTICE);
  });

  it("starts stdout with the command's output: no JSON log line before it", async () => {
    const { code, stdout, stderr } = await runProcess(['handle', 'events/page-utm.json'], {
      ...env,
      TOUCHPOINT_STORE: 'memory',
    });

    expect(code).toBe(0);
    expect(stdout.startsWith('{\n  "requestId"')).toBe(true);
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stderr).toBe('store: memory (dry run: nothing is kept; --send uses TOUCHPOINT_STORE)\n');
  });
});
