import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

describe('touchpoint serve (as a process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints where it listens on a free port, serves the doors, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/entry.ts'), 'serve', '--port', '0'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          TOUCHPOINT_STORE: `sqlite:${join(dir, 'serve.db')}`,
          TOUCHPOINT_OUTBOX: join(dir, 'outbox.jsonl'),
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(stdout);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('close', () => reject(new Error(`serve exited before listening: ${stderr}`)));
      });

      // Act
      const pixel = await fetch(
        `${url}/t.gif?anonymousId=serve-1&url=https%3A%2F%2Fx.io%2F%3Futm_source%3Da%26utm_medium%3Dcpc`,
      );
      const profile = await fetch(`${url}/api/anonymous/serve-1`);
      child.kill('SIGTERM');
      const code = await exited;

      // Assess
      expect(url).not.toMatch(/:8787$/);
      expect(pixel.headers.get('content-type')).toBe('image/gif');
      expect(profile.status).toBe(200); // loopback bind, no token configured
      expect(code).toBe(0);
      expect(stderr).toContain('SIGTERM: stopping');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
