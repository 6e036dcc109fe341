/** A tiny flag parser: `--name value`, `--name=value`, `--flag`; everything else is positional. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(name, inline);
    else if (booleanFlags.includes(name) || i + 1 >= args.length || (args[i + 1] as string).startsWith('--'))
      flags.set(name, true);
    else flags.set(name, args[++i] as string);
  }
  return { positional, flags };
}

/** A flag's string value, or `fallback`. */
export function flag(parsed: ParsedArgs, name: string, fallback?: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : fallback;
}

/** A numeric flag; throws a readable error for a non-number. */
export function numberFlag(parsed: ParsedArgs, name: string, fallback: number): number {
  const value = flag(parsed, name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`--${name} must be a number, got "${value}"`);
  return number;
}
