/**
 * Query-string reading (docs/attribution.md §2 item 2): `&amp;` is `&`, any further `?` is `&`, `+` is a
 * space, percent escapes decode defensively, names match case-insensitively, the first non-empty value wins
 * and empty values are absent.
 */

const ESCAPE_RUN = /(?:%[0-9a-f]{2})+/gi;

function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
}

/**
 * Decodes one query component. A malformed escape (`50%off`, a lone `%E0`) keeps its raw text while
 * the well-formed escapes around it still decode.
 */
export function decodeComponent(raw: string): string {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(ESCAPE_RUN, decodeRun);
  }
}

/**
 * Adds the parameters of `query` to `into` (lower-case name -> trimmed decoded value), keeping values
 * already there so the first occurrence wins. With `wanted`, other names are skipped undecoded, which
 * keeps long tracking URLs cheap.
 */
export function readQueryParams(
  query: string,
  into: Map<string, string>,
  wanted?: ReadonlySet<string>,
): void {
  if (query === '') return;
  const text = query.includes('&amp;') ? query.split('&amp;').join('&') : query;
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length) {
      const code = text.charCodeAt(end);
      if (code === 38 || code === 63) break; // '&' or '?'
      end += 1;
    }
    if (end > start) readPair(text.slice(start, end), into, wanted);
    start = end + 1;
  }
}

function readPair(pair: string, into: Map<string, string>, wanted: ReadonlySet<string> | undefined): void {
  const equals = pair.indexOf('=');
  const rawName = equals < 0 ? pair : pair.slice(0, equals);
  const name = (rawName.includes('%') || rawName.includes('+') ? decodeComponent(rawName) : rawName)
    .trim()
    .toLowerCase();
  if (name === '' || (wanted && !wanted.has(name)) || into.has(name)) return;
  const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1)).trim();
  if (value !== '') into.set(name, value);
}

/** The first non-empty value of any of `names` (lower-case) in `query`, or null. */
export function findQueryParam(query: string, names: ReadonlySet<string>): string | null {
  if (query === '' || names.size === 0) return null;
  const found = new Map<string, string>();
  readQueryParams(query, found, names);
  for (const name of names) {
    const value = found.get(name);
    if (value !== undefined) return value;
  }
  return null;
}
