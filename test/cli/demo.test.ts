import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MARKER } from '../../src/cli/commands/demo';
import { runTouchpoint } from '../support/cli';

describe('touchpoint demo --dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'touchpoint-demo-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a non-empty directory it did not create, and leaves every file in it untouched', async () => {
    const foreign = join(root, 'my-project');
    mkdirSync(join(foreign, 'src'), { recursive: true });
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    writeFileSync(join(foreign, 'src', 'main.ts'), 'export {};');

    const { code, stdout, stderr } = await runTouchpoint(['demo', '--users', '5', '--dir', foreign]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`--dir ${foreign} is not empty and was not made by the demo`);
    expect(stderr).toContain('nothing was deleted');
    expect(readdirSync(foreign).sort()).toEqual(['notes.txt', 'src']);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(foreign, 'src', 'main.ts'), 'utf8')).toBe('export {};');
  });

  it('refuses a path that is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'data');

    const { code, stderr } = await runTouchpoint(['demo', '--users', '5', '--dir', file]);

    expect(code).toBe(2);
    expect(stderr).toContain('exists and is not a directory');
    expect(readFileSync(file, 'utf8')).toBe('data');
  });

  it('creates and marks a new directory, then empties its own directory on the next run', async () => {
    const dir = join(root, 'demo');

    const first = await runTouchpoint(['demo', '--users', '20', '--dir', dir]);
    writeFileSync(join(dir, 'stale.txt'), 'from an earlier run');
    const second = await runTouchpoint(['demo', '--users', '20', '--dir', dir]);

    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
    expect(existsSync(join(dir, 'stale.txt'))).toBe(false);
    expect(existsSync(join(dir, 'touchpoint.db'))).toBe(true);
    expect(second.stdout).toContain(
      `TOUCHPOINT_STORE=sqlite:${join(dir, 'touchpoint.db')} npx touchpoint profile`,
    );
  });

  it('uses an existing empty directory', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);

    const { code } = await runTouchpoint(['demo', '--users', '5', '--dir', dir]);

    expect(code).toBe(0);
    expect(existsSync(join(dir, DEMO_MARKER))).toBe(true);
  });

  it('refuses to empty its own directory while the current directory is inside it', async () => {
    const dir = join(root, 'holds-cwd');
    mkdirSync(join(dir, 'inside'), { recursive: true });
    writeFileSync(join(dir, DEMO_MARKER), '');
    const cwd = process.cwd();
    process.chdir(join(dir, 'inside'));
    try {
      const { code, stderr } = await runTouchpoint(['demo', '--users', '5', '--dir', dir]);

      expect(code).toBe(2);
      expect(stderr).toContain('holds the current directory');
      expect(existsSync(join(dir, 'inside'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
