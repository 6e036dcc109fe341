import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createContext, Script, type Context } from 'node:vm';

/**
 * A local stand-in for Segment's Functions runtime (docs/contracts.md "Segment Functions"): a built
 * script runs in a `node:vm` context holding exactly the runtime's globals and error classes, nothing
 * from Node (`require`, `process`, `Buffer`, `setTimeout` are absent, so a script reaching for one fails
 * here as it would there); a message goes to its `on<Type>` handler; what the handler returns or throws
 * becomes Segment's outcome.
 */

/** The error classes the runtime defines as globals. */
export const RUNTIME_ERROR_CLASSES = [
  'ValidationError',
  'InvalidEventPayload',
  'EventNotSupported',
  'RetryError',
  'DropEvent',
] as const;

/** Every global the sandbox provides besides the language's own (Object, JSON, Promise, ...). */
export const RUNTIME_GLOBALS = [
  'fetch',
  'URL',
  'URLSearchParams',
  'Headers',
  'crypto',
  'atob',
  'btoa',
  'cache',
  'console',
  ...RUNTIME_ERROR_CLASSES,
] as const;

/** What Segment does with one event after the handler ran. */
export type FunctionOutcome =
  | { kind: 'returned'; value: unknown }
  | { kind: 'retried' | 'rejected' | 'unsupported' | 'dropped' | 'discarded'; name: string; message: string };

const HANDLER_OF_TYPE: Record<string, string> = {
  track: 'onTrack',
  identify: 'onIdentify',
  page: 'onPage',
  screen: 'onScreen',
  group: 'onGroup',
  alias: 'onAlias',
  delete: 'onDelete',
};

/** A loaded function script. */
export interface FunctionsSandbox {
  /** the top-level handlers the script declares */
  handlers: string[];
  /** delivers one message as Segment does: to on<Type>, with a JSON copy of event and settings */
  deliver(message: Record<string, unknown>, settings: Record<string, unknown>): Promise<FunctionOutcome>;
  /** delivers a batch to onBatch */
  deliverBatch(messages: readonly unknown[], settings: Record<string, unknown>): Promise<FunctionOutcome>;
}

/** Loads `code` as Segment's runtime would; throws what the script throws at load time. */
export function loadFunctionScript(code: string, filename = 'function.js'): FunctionsSandbox {
  const context = runtimeContext();
  const parseInContext = new Script('(text) => JSON.parse(text)').runInContext(context) as (
    text: string,
  ) => unknown;
  new Script(code, { filename }).runInContext(context);
  const handlers = [...Object.values(HANDLER_OF_TYPE), 'onBatch'].filter(
    (name) => typeof context[name] === 'function',
  );
  const invoke = async (name: string, ...args: unknown[]): Promise<FunctionOutcome> => {
    const handler = context[name] as ((...values: unknown[]) => Promise<unknown>) | undefined;
    if (typeof handler !== 'function')
      return { kind: 'unsupported', name: 'EventNotSupported', message: `no ${name} handler` };
    try {
      // JSON copies made inside the context, as the runtime hands the handler fresh objects of its own
      const copies = args.map((arg) => parseInContext(JSON.stringify(arg)));
      return { kind: 'returned', value: await handler(...copies) };
    } catch (error) {
      return outcomeOfError(context, error);
    }
  };
  return {
    handlers,
    deliver: (message, settings) => {
      const type = typeof message.type === 'string' ? message.type : '';
      return invoke(HANDLER_OF_TYPE[type] ?? `on${type}`, message, settings);
    },
    deliverBatch: (messages, settings) => invoke('onBatch', messages, settings),
  };
}

function outcomeOfError(context: Context, error: unknown): FunctionOutcome {
  const is = (name: string) => error instanceof (context[name] as new () => Error);
  // errors thrown in the context are the context's Error, not this realm's
  const fields = typeof error === 'object' && error !== null ? (error as Partial<Error>) : {};
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  if (is('RetryError')) return { kind: 'retried', name, message };
  if (is('ValidationError') || is('InvalidEventPayload')) return { kind: 'rejected', name, message };
  if (is('EventNotSupported')) return { kind: 'unsupported', name, message };
  if (is('DropEvent')) return { kind: 'dropped', name, message };
  return { kind: 'discarded', name, message };
}

function runtimeContext(): Context {
  const store = new Map<string, unknown>();
  const context = createContext({
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    URL,
    URLSearchParams,
    Headers,
    crypto: webcrypto,
    atob,
    btoa,
    console,
    // the runtime's per-instance cache: load(key, ttl, loader), delete(key)
    cache: {
      async load(key: string, _ttl: number, loader: () => Promise<unknown>) {
        if (!store.has(key)) store.set(key, await loader());
        return store.get(key);
      },
      delete(key: string) {
        store.delete(key);
      },
    },
  });
  new Script(
    RUNTIME_ERROR_CLASSES.map(
      (name) =>
        `globalThis.${name} = class ${name} extends Error { constructor(message) { super(message); this.name = '${name}'; } };`,
    ).join('\n'),
  ).runInContext(context);
  return context;
}

const ROOT = resolve(__dirname, '../..');

/**
 * Builds the two scripts with the project's own build (scripts/build/segment-functions.mjs) into a temp
 * directory and returns their code; the directory is removed before returning.
 */
export function buildSegmentFunctionScripts(): {
  insert: string;
  attribution: string;
  bytes: Record<string, number>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-functions-'));
  try {
    execFileSync(process.execPath, ['scripts/build/segment-functions.mjs', dir], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const insert = readFileSync(join(dir, 'touchpoint-insert.js'), 'utf8');
    const attribution = readFileSync(join(dir, 'touchpoint-attribution.js'), 'utf8');
    return {
      insert,
      attribution,
      bytes: { insert: Buffer.byteLength(insert), attribution: Buffer.byteLength(attribution) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
