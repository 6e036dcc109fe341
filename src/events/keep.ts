/**
 * What a dead letter keeps of a message: a copy bounded in depth and size, without secrets. Input can be
 * any JSON value (12 KB nested 6,000 deep, 5 MB of one string), so the copy is made by one iterative
 * walk (no recursion to overflow the stack) that stops at `maxDepth` and at `maxChars` characters of
 * content; what it cut is said in `note`. The result is always safe to `JSON.stringify` and to store.
 */
export interface KeptPayload {
  payload: unknown;
  /** what was cut to fit (depth, size), or null when the payload is kept whole */
  note: string | null;
}

export interface KeepLimits {
  /** containers nested deeper than this are replaced by a marker string; default 32 */
  maxDepth: number;
  /** roughly the JSON length kept (keys, strings, numbers); default 64,000 */
  maxChars: number;
}

export const DEFAULT_KEEP_LIMITS: KeepLimits = Object.freeze({ maxDepth: 32, maxChars: 64_000 });

/**
 * Keys whose values are credentials wherever they appear (a source's `writeKey`, forwarded
 * `Authorization` headers, `password`, `token`, `secret`, `apiKey`, `cookie` and their spellings).
 */
const SECRET_KEY = /write[-_]?key|authori[sz]ation|passw(or)?d|secret|token|api[-_]?key|cookie|credential/i;

/** The same names followed by `=`/`:` and a value inside text that is not JSON (linear: a literal anchors it). */
const SECRET_IN_TEXT =
  /(write[-_]?key|authori[sz]ation|passw(?:or)?d|secret|token|api[-_]?key|cookie|credential)("?\s*[:=]\s*"?(?:bearer\s+|basic\s+)?)[^",\s}&]+/gi;

/** True for a key whose value must never be stored or passed on. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks `name=value` / `"name": "value"` credentials in free text. */
export function maskSecretsInText(text: string): string {
  return text.replace(SECRET_IN_TEXT, '$1$2[redacted]');
}

const MAX_KEY_CHARS = 200;

/**
 * `value` masked, cut so that its JSON text (escapes included: a control character takes six) fits in
 * `budget` characters. Halving keeps it linear in the length of the value.
 */
function keptText(value: string, budget: number): { text: string; jsonLength: number; cut: boolean } {
  let text = maskSecretsInText(value.length > budget ? value.slice(0, budget) : value);
  let jsonLength = JSON.stringify(text).length;
  let cut = text.length < value.length;
  while (jsonLength > budget + 2 && text.length > 0) {
    text = text.slice(0, Math.floor(text.length / 2));
    jsonLength = JSON.stringify(text).length;
    cut = true;
  }
  return cut
    ? { text: `${text}...[truncated]`, jsonLength: jsonLength + 14, cut }
    : { text, jsonLength, cut };
}

type Container = Record<string, unknown> | unknown[];

interface Task {
  value: unknown;
  depth: number;
  parent: Container | null;
  key: string | number;
}

/** The bounded, secret-free copy of `raw` that a dead letter stores. Never throws. */
export function keepPayload(raw: unknown, limits: KeepLimits = DEFAULT_KEEP_LIMITS): KeptPayload {
  const cut = new Set<string>();
  let budget = limits.maxChars;
  const root: { value: unknown } = { value: null };
  const stack: Task[] = [{ value: raw, depth: 0, parent: null, key: 'value' }];
  const place = (task: Task, value: unknown) => {
    if (task.parent === null) root.value = value;
    else (task.parent as Record<string | number, unknown>)[task.key] = value;
  };
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    if (budget <= 0) {
      cut.add(`cut at ${limits.maxChars.toLocaleString('en-US')} characters`);
      // Later siblings are dropped; an array keeps its prefix rather than holes.
      if (Array.isArray(task.parent)) task.parent.length = Math.min(task.parent.length, Number(task.key));
      continue;
    }
    const { value } = task;
    if (typeof value === 'string') {
      const kept = keptText(value, budget);
      if (kept.cut) cut.add(`cut at ${limits.maxChars.toLocaleString('en-US')} characters`);
      budget -= kept.jsonLength;
      place(task, kept.text);
    } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      const kept = typeof value === 'number' && !Number.isFinite(value) ? null : value;
      budget -= String(kept).length;
      place(task, kept);
    } else if (typeof value === 'object') {
      if (task.depth >= limits.maxDepth) {
        cut.add(`nested deeper than ${limits.maxDepth}`);
        budget -= 20;
        place(task, `[nested deeper than ${limits.maxDepth}]`);
        continue;
      }
      budget -= 2;
      const depth = task.depth + 1;
      if (Array.isArray(value)) {
        const copy = new Array<unknown>(value.length);
        place(task, copy);
        for (let i = value.length - 1; i >= 0; i--)
          stack.push({ value: value[i], depth, parent: copy, key: i });
      } else {
        const copy: Record<string, unknown> = {};
        place(task, copy);
        const entries = Object.entries(value as Record<string, unknown>);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, child] = entries[i] as [string, unknown];
          if (isSecretKey(key)) continue;
          const keptKey = key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS)}...` : key;
          budget -= keptKey.length + 3;
          stack.push({ value: child, depth, parent: copy, key: keptKey });
        }
      }
    } else {
      place(task, null); // undefined, functions, symbols, bigints: not JSON
    }
  }
  return { payload: root.value, note: cut.size > 0 ? `payload ${[...cut].join(', ')}` : null };
}
