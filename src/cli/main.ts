import { closestName, UsageError } from './args';
import { COMMANDS } from './commands';
import { describeCliError } from './errors';
import { boundHeapGrowth } from './memory';
import type { CliIO } from './types';
import { VERSION } from './version';

/**
 * Runs `touchpoint <command> [args]`; returns the exit code: 0 done, 1 the command failed (one line on
 * stderr saying what to fix), 2 the command line is wrong (unknown command or flag, a value out of
 * range), in which case nothing was opened, created or deleted.
 */
export async function runCli(io: CliIO): Promise<number> {
  const [name, ...args] = io.argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) {
      io.stdout.write(usage());
      return 0;
    }
    const command = COMMANDS.find((candidate) => candidate.name === topic);
    if (!command) return unknownCommand(topic, io);
    io.stdout.write(command.help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return unknownCommand(name, io);
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`touchpoint ${name}: ${error.message} (see touchpoint ${name} --help)\n`);
      return 2;
    }
    io.stderr.write(`touchpoint ${name}: ${describeCliError(error, { env: io.env, command: name })}\n`);
    return 1;
  }
}

function unknownCommand(name: string, io: CliIO): number {
  const names = COMMANDS.map((command) => command.name);
  const closest = closestName(name, names);
  const what = name.startsWith('-')
    ? `unknown flag ${name} (flags go after the command)`
    : `unknown command "${name}"`;
  io.stderr.write(
    `touchpoint: ${what}${closest ? `; did you mean "${closest}"?` : ''} (run touchpoint help for the list)\n`,
  );
  return 2;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return (
    `usage: touchpoint <command> [flags]\n\n${lines.join('\n')}\n\n` +
    'touchpoint <command> --help lists its flags; touchpoint --version prints the version.\n' +
    'Configuration comes from environment variables: see the README.\n'
  );
}

/**
 * Silences the AWS SDK's Node-version support notice for this process, the documented way
 * (aws/aws-sdk-js-v3#7983): the SDK reads AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true when it
 * builds a client. Only that notice: every other warning still prints, and a value the user set wins.
 */
export function quietSdkNotice(env: NodeJS.ProcessEnv): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Runs the CLI as this process: real stdin/stdout/stderr and environment; sets the exit code. */
export function runAsProcess(argv: string[]): void {
  quietSdkNotice(process.env);
  boundHeapGrowth();
  // `touchpoint profile u1 | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  runCli({
    argv,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`touchpoint: ${describeCliError(error, { env: process.env })}\n`);
      process.exitCode = 1;
    },
  );
}
