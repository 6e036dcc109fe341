import { describeError } from '../errors';
import { COMMANDS } from './commands';
import type { CliIO } from './types';

/** Runs `touchpoint <command> [args]`; returns the exit code. */
export async function runCli(io: CliIO): Promise<number> {
  const [name, ...args] = io.argv;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command || name === 'help' || name === '--help') {
    io.stdout.write(usage());
    return command || name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  if (args.includes('--help')) {
    io.stdout.write(`usage: touchpoint ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    io.stderr.write(`touchpoint ${name}: ${describeError(error)}\n`);
    return 1;
  }
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length));
  const lines = COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`);
  return `usage: touchpoint <command>\n\n${lines.join('\n')}\n\nConfiguration comes from environment variables: see the README.\n`;
}

/** Runs the CLI as this process: real stdin/stdout/stderr and environment; sets the exit code. */
export function runAsProcess(argv: string[]): void {
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
      console.error(describeError(error));
      process.exitCode = 1;
    },
  );
}
