import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Command-line flags, declared once per command: the parser (node:util parseArgs in strict mode), the
 * validation of values and ranges, and the `--help` text all come from the same declarations, so a flag
 * cannot be accepted without being documented, or documented without being checked.
 */

/** A flag that takes text (a path, a name, a URL). */
export interface TextFlag {
  readonly type: 'string';
  readonly help: string;
  /** shown in help as `--name <placeholder>`; default `value` */
  readonly placeholder?: string;
  readonly default?: string;
  /** the command cannot run without it (only for flags without a default) */
  readonly required?: boolean;
}

/** A flag that takes a number, checked against its range before the command runs. */
export interface NumberFlag {
  readonly type: 'number';
  readonly help: string;
  readonly placeholder?: string;
  readonly default?: number;
  readonly min: number;
  readonly max: number;
  /** whole numbers only; default true */
  readonly integer?: boolean;
}

/** An on/off switch; false unless given. */
export interface SwitchFlag {
  readonly type: 'boolean';
  readonly help: string;
  /** a one-letter alias (`-h`) */
  readonly short?: string;
}

export type FlagSpec = TextFlag | NumberFlag | SwitchFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A positional argument; every declared one is required. */
export interface PositionalSpec {
  readonly name: string;
  readonly help: string;
}

/** What a flag's value is once parsed: defaults and required flags are always there. */
export type FlagValue<F extends FlagSpec> = F extends SwitchFlag
  ? boolean
  : F extends NumberFlag
    ? F extends { default: number }
      ? number
      : number | undefined
    : F extends { default: string } | { required: true }
      ? string
      : string | undefined;

export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** The positionals by name. */
export type PositionalValues<P extends readonly PositionalSpec[]> = { [K in P[number]['name']]: string };

/** Flags every command takes. */
export const GLOBAL_FLAGS = {
  verbose: {
    type: 'boolean',
    help: 'log JSON lines from info up on stderr (default: warn and up; TOUCHPOINT_LOG_LEVEL, when set, wins)',
  },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
} as const satisfies FlagSpecs;

/**
 * A command line that cannot be run as typed (an unknown flag, a value out of range, a missing
 * argument). The CLI prints its one-line message and exits 2, before anything is opened or deleted.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message);
  }
}

/** The parsed command line of one command. */
export interface ParsedCommandLine<F extends FlagSpecs, P extends readonly PositionalSpec[]> {
  flags: FlagValues<F>;
  args: PositionalValues<P>;
  /** `--help` or `-h` was given: print the help and do nothing else */
  help: boolean;
  verbose: boolean;
}

/**
 * Parses `argv` (the words after the command name) against the declarations.
 * @throws UsageError naming the flag or argument at fault, and the closest valid flag for a misspelling
 */
export function parseCommandLine<F extends FlagSpecs, P extends readonly PositionalSpec[]>(
  argv: readonly string[],
  flags: F,
  positionals: P,
): ParsedCommandLine<F, P> {
  const specs: FlagSpecs = { ...flags, ...GLOBAL_FLAGS };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] =
      spec.type !== 'boolean'
        ? { type: 'string' }
        : spec.short
          ? { type: 'boolean', short: spec.short }
          : { type: 'boolean' };
  }
  const args = [...argv];

  // A first, lenient pass only to word the errors: parseArgs' own messages are several lines long.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
    return { flags: {} as FlagValues<F>, args: {} as PositionalValues<P>, help: true, verbose: false };
  }
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    if (!spec) throw new UsageError(unknownFlagMessage(token.rawName, Object.keys(specs)));
    if (spec.type === 'boolean' && token.value !== undefined)
      throw new UsageError(`${token.rawName} is a switch and takes no value (got "${token.value}")`);
    if (spec.type !== 'boolean' && token.value === undefined)
      throw new UsageError(`${token.rawName} needs a value: ${token.rawName} <${placeholderOf(spec)}>`);
    if (spec.type !== 'boolean' && token.inlineValue === false && token.value?.startsWith('-'))
      throw new UsageError(
        `${token.rawName} needs a value, got the flag-like "${token.value}" (write ${token.rawName}=${token.value} if that is the value)`,
      );
  }

  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    // Not reached for the cases checked above; kept so no parser error escapes as a crash.
    throw new UsageError(firstLine(error));
  }

  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(flags)) {
    const raw = parsed.values[name];
    if (spec.type === 'boolean') values[name] = raw === true;
    else if (typeof raw === 'string') values[name] = spec.type === 'number' ? toNumber(name, raw, spec) : raw;
    else if (spec.type === 'string' && spec.required && spec.default === undefined)
      throw new UsageError(`--${name} <${placeholderOf(spec)}> is required: ${spec.help}`);
    else values[name] = spec.default;
  }

  const named: Record<string, string> = {};
  const given = parsed.positionals;
  for (const [index, positional] of positionals.entries()) {
    const value = given[index];
    if (value === undefined) throw new UsageError(`missing <${positional.name}>: ${positional.help}`);
    named[positional.name] = value;
  }
  if (given.length > positionals.length) {
    const extra = given[positionals.length] as string;
    throw new UsageError(
      positionals.length === 0
        ? `unexpected argument "${extra}" (this command takes flags only)`
        : `unexpected argument "${extra}" after <${positionals.map((p) => p.name).join('> <')}>`,
    );
  }

  return {
    flags: values as FlagValues<F>,
    args: named as PositionalValues<P>,
    help: false,
    verbose: parsed.values.verbose === true,
  };
}

/** A number flag's value, or a UsageError stating the allowed range. */
function toNumber(name: string, raw: string, spec: NumberFlag): number {
  const integer = spec.integer ?? true;
  const text = raw.trim();
  const value = text === '' ? Number.NaN : Number(text);
  const range = `${integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`;
  if (
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < spec.min ||
    value > spec.max
  )
    throw new UsageError(`--${name} must be ${range}, got "${raw}"`);
  return value;
}

function unknownFlagMessage(rawName: string, known: readonly string[]): string {
  const name = rawName.replace(/^-+/, '');
  const closest = closestName(
    name,
    known.filter((flag) => flag !== 'help'),
  );
  return `unknown flag ${rawName}${closest ? ` (did you mean --${closest}?)` : ''}`;
}

/**
 * The candidate nearest to `word` by edit distance, when near enough to be a typo (at most 2 edits, and
 * fewer than half the word), or one the word is a prefix of; undefined otherwise.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.min(2, Math.floor(word.length / 2))) return best;
  return word.length >= 2 ? candidates.find((candidate) => candidate.startsWith(word)) : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions), for short words. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function placeholderOf(spec: TextFlag | NumberFlag): string {
  return spec.placeholder ?? (spec.type === 'number' ? 'n' : 'value');
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** `[--users 3000]`-style synopsis of the flags, for the command list. */
export function synopsis(flags: FlagSpecs, positionals: readonly PositionalSpec[]): string {
  const words = positionals.map((positional) => `<${positional.name}>`);
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.type === 'boolean') words.push(`[--${name}]`);
    else {
      const shown = spec.default === undefined ? `<${placeholderOf(spec)}>` : String(spec.default);
      words.push(spec.type === 'string' && spec.required ? `--${name} ${shown}` : `[--${name} ${shown}]`);
    }
  }
  return words.join(' ');
}

/** The `--help` text of a command: usage, summary, arguments, and every flag with its range and default. */
export function helpText(
  command: string,
  summary: string,
  flags: FlagSpecs,
  positionals: readonly PositionalSpec[],
): string {
  const rows: Array<[string, string]> = [];
  for (const positional of positionals) rows.push([`<${positional.name}>`, positional.help]);
  const flagRows: Array<[string, string]> = [];
  const all: FlagSpecs = { ...flags, ...GLOBAL_FLAGS };
  for (const [name, spec] of Object.entries(all)) {
    if (spec.type === 'boolean') {
      flagRows.push([`${spec.short ? `-${spec.short}, ` : ''}--${name}`, spec.help]);
      continue;
    }
    const notes: string[] = [];
    if (spec.type === 'number') notes.push(`${spec.min}-${spec.max}`);
    if (spec.default !== undefined) notes.push(`default ${spec.default}`);
    else if (spec.type === 'string' && spec.required) notes.push('required');
    const note = notes.length > 0 ? ` (${notes.join(', ')})` : '';
    flagRows.push([`--${name} <${placeholderOf(spec)}>`, spec.help + note]);
  }
  const width = Math.max(...[...rows, ...flagRows].map(([left]) => left.length));
  const table = (entries: Array<[string, string]>) =>
    entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
  const usage = `usage: touchpoint ${command}${positionals.map((p) => ` <${p.name}>`).join('')} [flags]`;
  return [
    usage,
    '',
    summary,
    ...(rows.length > 0 ? ['', 'arguments:', table(rows)] : []),
    '',
    'flags:',
    table(flagRows),
    '',
  ].join('\n');
}
