import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closestName, parseCommandLine, UsageError } from '../../src/cli/args';
import { COMMANDS } from '../../src/cli/commands';
import { runTouchpoint } from '../support/cli';

const packageVersion = (
  JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;

describe('touchpoint command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-usage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 on an unknown command with one line naming it and the closest command', async () => {
    const { code, stdout, stderr } = await runTouchpoint(['replya', 'x.jsonl']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'touchpoint: unknown command "replya"; did you mean "replay"? (run touchpoint help for the list)\n',
    );
  });

  it('rejects a misspelled flag (--user 10) naming it and the valid one, before running anything', async () => {
    const demoDir = join(dir, 'never-made');

    const { code, stdout, stderr } = await runTouchpoint(['demo', '--user', '10', '--dir', demoDir]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'touchpoint demo: unknown flag --user (did you mean --users?) (see touchpoint demo --help)\n',
    );
    expect(existsSync(demoDir)).toBe(false);
  });

  it('accepts --users 10 and --users=10', async () => {
    const spaced = await runTouchpoint(['generate', '--users', '10', '--seed', '2']);
    const inline = await runTouchpoint(['generate', '--users=10', '--seed=2']);

    expect(spaced.code).toBe(0);
    expect(spaced.stdout.trim().split('\n').length).toBeGreaterThan(10);
    expect(inline.stdout).toBe(spaced.stdout);
  });

  it('refuses replay --chunk 0 at once, stating the range, without opening the store', async () => {
    const store = join(dir, 'chunk.db');

    const { code, stderr } = await runTouchpoint(['replay', '-', '--chunk', '0'], {
      env: { TOUCHPOINT_STORE: `sqlite:${store}` },
    });

    expect(code).toBe(2);
    expect(stderr).toBe(
      'touchpoint replay: --chunk must be a whole number from 1 to 1000000, got "0" (see touchpoint replay --help)\n',
    );
    expect(existsSync(store)).toBe(false);
  });

  it.each([
    [['generate', '--users', 'lots'], '--users must be a whole number from 1 to 1000000, got "lots"'],
    [['generate', '--users', '2.5'], '--users must be a whole number from 1 to 1000000, got "2.5"'],
    [['dead-letters', '--limit', '-3'], '--limit needs a value, got the flag-like "-3"'],
    [['generate', '--out'], '--out needs a value: --out <file.jsonl>'],
    [['classify', '--explain=yes'], '--explain is a switch and takes no value (got "yes")'],
    [['profile'], 'missing <id>: a userId or anonymousId'],
    [['profile', 'u1', 'u2'], 'unexpected argument "u2" after <id>'],
    [['setup', 'now'], 'unexpected argument "now" (this command takes flags only)'],
    [['invoke', '--users', '1'], '--function <name|arn> is required'],
    [['generate', '--start', 'yesterday'], '--start must be a date, e.g. 2026-01-01, got "yesterday"'],
  ])('exits 2 on %j with a one-line message', async (argv, message) => {
    const { code, stderr } = await runTouchpoint(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([['--version'], ['-v']])('prints the version from package.json with %s', async (flag) => {
    const { code, stdout } = await runTouchpoint([flag]);

    expect(code).toBe(0);
    expect(stdout).toBe(`${packageVersion}\n`);
  });

  it('prints each command its help, listing every flag with its default and range', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await runTouchpoint([command.name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`usage: touchpoint ${command.name}`);
      expect(stdout).toContain('--verbose');
    }
    const replay = await runTouchpoint(['replay', '-h']);
    expect(replay.stdout).toMatch(
      /--chunk <n>\s+messages applied per store transaction \(1-1000000, default 50000\)/,
    );
    expect(replay.stdout).toMatch(/<file>\s+a JSONL file/);
    expect((await runTouchpoint(['help', 'demo'])).stdout).toMatch(/--users <n>.*\(1-100000, default 3000\)/);
  });

  it('lists handle and points to --help and --version in the command list', async () => {
    const { code, stdout } = await runTouchpoint(['help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+handle\s+run the Lambda handler locally/m);
    expect(stdout).toContain('touchpoint --version');
  });
});

describe('parseCommandLine', () => {
  const flags = {
    users: { type: 'number', min: 1, max: 10, default: 3, help: 'u' },
    rate: { type: 'number', min: 0.5, max: 2, integer: false, help: 'r' },
    name: { type: 'string', help: 'n' },
    dry: { type: 'boolean', help: 'd' },
  } as const;

  it('applies defaults, converts numbers and reads switches and positionals', () => {
    const parsed = parseCommandLine(['f.jsonl', '--rate', '1.5', '--dry', '--verbose'], flags, [
      { name: 'file', help: 'f' },
    ]);

    expect(parsed).toEqual({
      flags: { users: 3, rate: 1.5, name: undefined, dry: true },
      args: { file: 'f.jsonl' },
      help: false,
      verbose: true,
    });
  });

  it('stops at --help even when other flags are wrong', () => {
    expect(parseCommandLine(['--nope', '-h'], flags, []).help).toBe(true);
  });

  it('takes a value starting with "-" only inline, and everything after -- as positionals', () => {
    expect(() => parseCommandLine(['--name', '-x'], flags, [])).toThrow(UsageError);
    expect(parseCommandLine(['--name=-x'], flags, []).flags.name).toBe('-x');
    expect(parseCommandLine(['--', '--dry'], flags, [{ name: 'file', help: 'f' }]).args).toEqual({
      file: '--dry',
    });
  });

  it('checks both ends of a range', () => {
    expect(parseCommandLine(['--users', '10'], flags, []).flags.users).toBe(10);
    expect(() => parseCommandLine(['--users', '11'], flags, [])).toThrow('from 1 to 10, got "11"');
    expect(() => parseCommandLine(['--rate', '0.4'], flags, [])).toThrow('a number from 0.5 to 2');
  });
});

describe('closestName', () => {
  it('suggests a near spelling or a completion, and nothing for an unrelated word', () => {
    expect(closestName('user', ['users', 'seed', 'dir'])).toBe('users');
    expect(closestName('chunks', ['chunk', 'window'])).toBe('chunk');
    expect(closestName('win', ['chunk', 'window'])).toBe('window');
    expect(closestName('frobnicate', ['demo', 'replay'])).toBeUndefined();
  });
});
