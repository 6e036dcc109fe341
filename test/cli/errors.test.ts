import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeCliError, SqliteFileError } from '../../src/cli/errors';
import { ConfigurationError } from '../../src/errors';
import { SqliteStoreMissingError } from '../../src/store/sqlite';
import { runTouchpoint } from '../support/cli';

// The real class better-sqlite3 throws (result code in `code`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SqliteError } = require('better-sqlite3') as {
  SqliteError: new (message: string, code: string) => Error & { code: string };
};

const named = (name: string, message: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...fields });

describe('describeCliError', () => {
  const env = { TOUCHPOINT_STORE: 'sqlite:/data/tp.db' };

  it.each<[string, unknown, string]>([
    [
      'a missing store file',
      new SqliteStoreMissingError('/data/tp.db'),
      'no SQLite store at /data/tp.db: TOUCHPOINT_STORE=sqlite:/data/tp.db names a file that does not exist',
    ],
    [
      'SQLITE_CANTOPEN',
      new SqliteError('unable to open database file', 'SQLITE_CANTOPEN'),
      'SQLite store /data/tp.db cannot be opened (is it a directory, or is its folder not writable?) [SQLITE_CANTOPEN]',
    ],
    [
      'SQLITE_BUSY',
      new SqliteError('database is locked', 'SQLITE_BUSY'),
      'SQLite store /data/tp.db is locked by another process (a replay or demo still running?)',
    ],
    [
      'an extended code (SQLITE_BUSY_SNAPSHOT)',
      new SqliteError('database is locked', 'SQLITE_BUSY_SNAPSHOT'),
      'SQLite store /data/tp.db is locked by another process',
    ],
    [
      'not a database',
      new SqliteError('file is not a database', 'SQLITE_NOTADB'),
      'SQLite store /data/tp.db is not a SQLite database: point TOUCHPOINT_STORE at a touchpoint store',
    ],
    [
      'SQLITE_READONLY',
      new SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'),
      'SQLite store /data/tp.db is read-only',
    ],
    [
      'an unknown SQLite code, with its message',
      new SqliteError('something odd', 'SQLITE_MISMATCH'),
      'SQLite store /data/tp.db failed: something odd [SQLITE_MISMATCH]',
    ],
    [
      'the SDK without a region',
      new Error('Region is missing'),
      'no AWS region: set AWS_REGION (or give the AWS_PROFILE a region in ~/.aws/config)',
    ],
    [
      'no credentials',
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      'no AWS credentials (Could not load credentials from any providers): set AWS_PROFILE',
    ],
    [
      'no credentials (the fix names the keys too)',
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    ],
    [
      'an expired SSO token',
      named('TokenProviderError', 'The SSO session token has expired'),
      'run `aws sso login` for AWS_PROFILE',
    ],
    [
      'expired credentials',
      named('ExpiredTokenException', 'The security token included in the request is expired'),
      'the AWS credentials have expired',
    ],
    [
      'credentials AWS does not know',
      named('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      'AWS rejected the credentials (UnrecognizedClientException): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE',
    ],
    [
      'a bad signature',
      named('InvalidSignatureException', 'The request signature we calculated does not match'),
      'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    ],
    [
      'a missing permission',
      named(
        'AccessDeniedException',
        'User: arn:aws:iam::1:user/x is not authorized to perform: lambda:InvokeFunction',
      ),
      'AWS denied the call: User: arn:aws:iam::1:user/x is not authorized to perform: lambda:InvokeFunction (grant it',
    ],
    [
      'a missing resource',
      named('ResourceNotFoundException', 'Function not found: arn:aws:lambda:eu-west-1:1:function:tp'),
      'not found in AWS: Function not found: arn:aws:lambda:eu-west-1:1:function:tp (check the name and AWS_REGION)',
    ],
    [
      'a missing input file',
      named('Error', "ENOENT: no such file or directory, stat 'events.jsonl'", {
        code: 'ENOENT',
        path: 'events.jsonl',
      }),
      'no such file or directory: events.jsonl',
    ],
    [
      'an unreadable file',
      named('Error', "EACCES: permission denied, open 'secret.jsonl'", {
        code: 'EACCES',
        path: 'secret.jsonl',
      }),
      'permission denied: secret.jsonl',
    ],
    [
      'a directory where a file was expected',
      named('Error', 'EISDIR: illegal operation on a directory, read', { code: 'EISDIR', path: 'events' }),
      'is a directory, not a file: events',
    ],
  ])('translates %s into one line naming what to fix', (_case, error, expected) => {
    const line = describeCliError(error, { env });

    expect(line).toContain(expected);
    expect(line).not.toContain('\n');
  });

  it('says when the missing store is the default one, TOUCHPOINT_STORE being unset', () => {
    const line = describeCliError(new SqliteStoreMissingError('/home/me/app/.touchpoint/touchpoint.db'), {
      env: {},
    });

    expect(line).toContain(
      'no SQLite store at /home/me/app/.touchpoint/touchpoint.db: TOUCHPOINT_STORE is not set and its default names a file that does not exist',
    );
    expect(line).toContain('sqlite:.touchpoint/demo/touchpoint.db');
  });

  it('offers --region for invoke', () => {
    expect(describeCliError(new Error('Region is missing'), { env, command: 'invoke' })).toBe(
      'no AWS region: pass --region, or set AWS_REGION (or give the AWS_PROFILE a region in ~/.aws/config)',
    );
  });

  it('finds a known error in the cause chain and keeps the outer words for context', () => {
    const cause = named('CredentialsProviderError', 'Could not load credentials from any providers');
    const outer = new ConfigurationError('SSM GetParameter for SEGMENT_WRITE_KEY_PARAMETER failed', {
      cause,
    });

    const line = describeCliError(outer, { env });

    expect(line).toMatch(/^no AWS credentials .*AWS_PROFILE.*\(ConfigurationError: SSM GetParameter for/);
  });

  it('names the file a command chose itself (the demo) rather than TOUCHPOINT_STORE', () => {
    const error = new SqliteFileError('/tmp/demo/touchpoint.db', {
      cause: new SqliteError('database is locked', 'SQLITE_BUSY'),
    });

    expect(describeCliError(error, { env })).toMatch(/^SQLite store \/tmp\/demo\/touchpoint\.db is locked/);
  });

  it('resolves a relative TOUCHPOINT_STORE path, and says TOUCHPOINT_STORE when the store is not SQLite', () => {
    const busy = new SqliteError('database is locked', 'SQLITE_BUSY');

    expect(describeCliError(busy, { env: { TOUCHPOINT_STORE: 'sqlite:./x.db' } })).toContain(
      `SQLite store ${resolve('x.db')} is locked`,
    );
    expect(describeCliError(busy, { env: { TOUCHPOINT_STORE: 'memory' } })).toContain(
      'SQLite store (TOUCHPOINT_STORE) is locked',
    );
  });

  it('falls back to the error name and message, on one line', () => {
    expect(describeCliError(new TypeError('bad\nthing'), { env })).toBe('TypeError: bad thing');
  });
});

describe('touchpoint setup without an AWS region', () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-errors-'));

  beforeAll(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    // No shared config either: a developer's ~/.aws/config region must not make the test pass.
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one line naming AWS_REGION instead of the raw "Region is missing"', async () => {
    const { code, stdout, stderr } = await runTouchpoint(['setup'], {
      env: { TOUCHPOINT_STORE: 'dynamodb:touchpoint-test' },
    });

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'touchpoint setup: no AWS region: set AWS_REGION (or give the AWS_PROFILE a region in ~/.aws/config)\n',
    );
  });
});
