import {
  helpText,
  parseCommandLine,
  synopsis,
  type FlagSpecs,
  type FlagValues,
  type PositionalSpec,
  type PositionalValues,
} from './args';

/** What a CLI command can use; injected so commands are testable without a real terminal. */
export interface CliIO {
  argv: string[];
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** One `touchpoint <name>` subcommand. */
export interface Command {
  name: string;
  /** `replay <file> [--chunk 50000] ...`, for the command list */
  usage: string;
  summary: string;
  /** the `--help` text: every argument and flag with its range and default */
  help(): string;
  /**
   * Parses `args` (the words after the name) and runs the command; returns the exit code.
   * @throws UsageError for a command line it cannot run (the CLI exits 2), before doing anything
   */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A command's declaration: its flags and positionals, and what it does with them once parsed. */
export interface CommandSpec<F extends FlagSpecs, P extends readonly PositionalSpec[]> {
  name: string;
  summary: string;
  flags: F;
  positionals: P;
  /** `io.env` is the caller's environment with the CLI's log level applied (see `cliEnv`) */
  run(input: { flags: FlagValues<F>; args: PositionalValues<P> }, io: CliIO): Promise<number>;
}

/** The log level commands run at when neither `--verbose` nor TOUCHPOINT_LOG_LEVEL says otherwise. */
export const CLI_LOG_LEVEL = 'warn';
/** The log level `--verbose` asks for. */
export const VERBOSE_LOG_LEVEL = 'info';

/**
 * The environment a command runs with: CLI output is for people, so JSON log lines below warn are off
 * unless asked for with `--verbose` or an explicit TOUCHPOINT_LOG_LEVEL (which wins).
 */
export function cliEnv(env: CliIO['env'], verbose: boolean): CliIO['env'] {
  if (env.TOUCHPOINT_LOG_LEVEL?.trim()) return env;
  return { ...env, TOUCHPOINT_LOG_LEVEL: verbose ? VERBOSE_LOG_LEVEL : CLI_LOG_LEVEL };
}

/** Builds a Command from its declaration: parsing, `--help` and the log level are handled here, once. */
export function defineCommand<const F extends FlagSpecs, const P extends readonly PositionalSpec[]>(
  spec: CommandSpec<F, P>,
): Command {
  const help = () => helpText(spec.name, spec.summary, spec.flags, spec.positionals);
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `${spec.name} ${synopsis(spec.flags, spec.positionals)}`.trim(),
    help,
    async run(args, io) {
      const parsed = parseCommandLine(args, spec.flags, spec.positionals);
      if (parsed.help) {
        io.stdout.write(help());
        return 0;
      }
      return spec.run(
        { flags: parsed.flags, args: parsed.args },
        { ...io, env: cliEnv(io.env, parsed.verbose) },
      );
    },
  };
}
