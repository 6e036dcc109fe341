import { resolve } from 'node:path';
import { loadConfig } from '../config';
import { describeError } from '../errors';

/**
 * The CLI's one-line account of a failure, saying what to fix: the SQLite file, the environment
 * variable or the AWS credential. Every command's error goes through `describeCliError` (src/cli/main.ts);
 * an error it has no row for is shown as describeError words it.
 */

/** What the describer knows besides the error. */
export interface ErrorContext {
  /** the environment the command ran with: TOUCHPOINT_STORE names the SQLite file */
  env: Readonly<Record<string, string | undefined>>;
  /** the command, for hints that depend on it (`invoke` takes `--region`) */
  command?: string;
}

/**
 * Marks an error raised while using the SQLite file at `path`, for a command that opened a store of its
 * own choosing (the demo) rather than the one TOUCHPOINT_STORE names.
 */
export class SqliteFileError extends Error {
  override readonly name = 'SqliteFileError';
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(describeError(options.cause), options);
  }
}

/** What the rows look at, wherever Node, better-sqlite3 or the AWS SDK put it. */
interface Facts {
  name: string;
  message: string;
  code: string;
  /** a Node file-system error's path */
  path: string | null;
}

interface Row {
  matches(facts: Facts): boolean;
  describe(
    facts: Facts,
    where: { sqlitePath: string | null; command?: string; env: ErrorContext['env'] },
  ): string;
}

const CREDENTIAL_FIX =
  'set AWS_PROFILE (after `aws configure` or `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/** What each SQLite result code means for the person at the terminal (extended codes match by prefix). */
const SQLITE_CODES: ReadonlyArray<[string, string]> = [
  ['SQLITE_CANTOPEN', 'cannot be opened (is it a directory, or is its folder not writable?)'],
  ['SQLITE_NOTADB', 'is not a SQLite database: point TOUCHPOINT_STORE at a touchpoint store'],
  ['SQLITE_BUSY', 'is locked by another process (a replay or demo still running?): try again when it ends'],
  ['SQLITE_LOCKED', 'is locked by another process (a replay or demo still running?): try again when it ends'],
  ['SQLITE_READONLY', 'is read-only: check the permissions of the file and its folder'],
  ['SQLITE_CORRUPT', 'is corrupt: restore it from a copy, or remove it and replay the events again'],
  ['SQLITE_FULL', 'cannot grow: the disk is full'],
  ['SQLITE_PERM', 'cannot be accessed: check the permissions of the file and its folder'],
];

/** The rows, tried in order on the error and then on its causes; tested row by row in test/cli/errors.test.ts. */
const ROWS: readonly Row[] = [
  {
    matches: (f) => f.name === 'SqliteStoreMissingError',
    describe: (f, where) => {
      const path = where.sqlitePath ?? f.path ?? 'the configured path';
      const configured = where.env.TOUCHPOINT_STORE?.trim();
      const setting = configured
        ? `TOUCHPOINT_STORE=${configured} names`
        : 'TOUCHPOINT_STORE is not set and its default names';
      return (
        `no SQLite store at ${path}: ${setting} a file that does not exist (create an empty one with ` +
        '`touchpoint setup`, or point TOUCHPOINT_STORE at the store a replay or the demo wrote, e.g. ' +
        'sqlite:.touchpoint/demo/touchpoint.db)'
      );
    },
  },
  {
    matches: (f) => f.name === 'SqliteError' || f.code.startsWith('SQLITE_'),
    describe: (f, where) => {
      const what = SQLITE_CODES.find(([code]) => f.code.startsWith(code))?.[1] ?? `failed: ${f.message}`;
      return `SQLite store ${where.sqlitePath ?? '(TOUCHPOINT_STORE)'} ${what} [${f.code || f.name}]`;
    },
  },
  {
    matches: (f) => /Cannot open database because the directory does not exist/.test(f.message),
    describe: (_f, where) =>
      `SQLite store ${where.sqlitePath ?? '(TOUCHPOINT_STORE)'}: its folder does not exist (check TOUCHPOINT_STORE)`,
  },
  {
    matches: (f) => /^Region is missing/i.test(f.message),
    describe: (_f, where) =>
      `no AWS region: ${where.command === 'invoke' ? 'pass --region, or ' : ''}set AWS_REGION ` +
      '(or give the AWS_PROFILE a region in ~/.aws/config)',
  },
  {
    matches: (f) => f.name === 'CredentialsProviderError',
    describe: (f) => `no AWS credentials (${f.message}): ${CREDENTIAL_FIX}`,
  },
  {
    matches: (f) => f.name === 'TokenProviderError',
    describe: (f) =>
      `the AWS SSO session cannot be used (${f.message}): run \`aws sso login\` for AWS_PROFILE`,
  },
  {
    matches: (f) => ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'].includes(f.name),
    describe: () =>
      'the AWS credentials have expired: refresh them (`aws sso login`, or a new AWS_SESSION_TOKEN with AWS_ACCESS_KEY_ID)',
  },
  {
    matches: (f) =>
      [
        'UnrecognizedClientException',
        'InvalidClientTokenId',
        'InvalidSignatureException',
        'SignatureDoesNotMatch',
        'IncompleteSignature',
        'MissingAuthenticationToken',
      ].includes(f.name),
    describe: (f) =>
      `AWS rejected the credentials (${f.name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`,
  },
  {
    matches: (f) => f.name === 'AccessDeniedException' || f.name === 'AccessDenied',
    describe: (f) =>
      `AWS denied the call: ${f.message} (grant it to the identity of AWS_PROFILE or AWS_ACCESS_KEY_ID)`,
  },
  {
    matches: (f) => f.name === 'ResourceNotFoundException',
    describe: (f) => `not found in AWS: ${f.message} (check the name and AWS_REGION)`,
  },
  {
    matches: (f) => f.code === 'ENOENT' && f.path !== null,
    describe: (f) => `no such file or directory: ${f.path}`,
  },
  {
    matches: (f) => (f.code === 'EACCES' || f.code === 'EPERM') && f.path !== null,
    describe: (f) => `permission denied: ${f.path}`,
  },
  {
    matches: (f) => f.code === 'EISDIR' && f.path !== null,
    describe: (f) => `is a directory, not a file: ${f.path}`,
  },
];

/** How deep the `cause` chain is searched for an error a row knows. */
const MAX_CAUSE_DEPTH = 5;

/**
 * One line saying what failed and what to fix. The rows are tried on the error, then on each `cause`;
 * a row found on a cause is followed by the outer error's own words, which say what was being done.
 */
export function describeCliError(error: unknown, context: ErrorContext): string {
  let sqlitePath: string | null = null;
  let outer = error;
  if (outer instanceof SqliteFileError) {
    sqlitePath = outer.path;
    outer = outer.cause;
  }
  let current: unknown = outer;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current !== undefined && current !== null; depth++) {
    const facts = factsOf(current);
    if (facts.name === 'SqliteStoreMissingError' && facts.path) sqlitePath = facts.path;
    const row = ROWS.find((candidate) => candidate.matches(facts));
    if (row) {
      const line = row.describe(facts, {
        sqlitePath: sqlitePath ?? configuredSqlitePath(context.env),
        command: context.command,
        env: context.env,
      });
      return describeError(depth === 0 ? line : `${line} (${describeError(outer)})`);
    }
    current = (current as { cause?: unknown }).cause;
  }
  // A plain Error's message is the whole story: "Error: " in front of it says nothing.
  const facts = factsOf(outer);
  return describeError(facts.name === 'Error' && facts.message ? facts.message : outer);
}

function factsOf(error: unknown): Facts {
  if (typeof error !== 'object' || error === null)
    return { name: '', message: String(error), code: '', path: null };
  const { name, message, code, path } = error as Record<string, unknown>;
  return {
    name: typeof name === 'string' ? name : '',
    message: typeof message === 'string' ? message : '',
    code: typeof code === 'string' ? code : '',
    path: typeof path === 'string' ? path : null,
  };
}

/** The absolute path of the SQLite file TOUCHPOINT_STORE names, or null for another store or a bad value. */
export function configuredSqlitePath(env: ErrorContext['env']): string | null {
  try {
    const { store } = loadConfig(env);
    return store.kind === 'sqlite' && store.path !== ':memory:' ? resolve(store.path) : null;
  } catch {
    return null;
  }
}
